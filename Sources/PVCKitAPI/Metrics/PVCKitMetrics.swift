import Foundation
import PVCKit
import Prometheus

/// PVCKit's own families (`pvckit_`), beside upstream's: tasks by kind and state, fence events, the age of the
/// answered figures, and the API's requests (counted as they are answered).
enum PVCKitMetrics {
  static let taskStates = ["pending", "running", "success", "failure"]

  /// The gauges made from the source.
  static func gauges(_ source: MetricsSource, into metrics: MetricsWriter) {
    var tasks: [String: [String: Int]] = [:]
    for task in source.tasks { tasks[task.name, default: [:]][task.state.rawValue.lowercased(), default: 0] += 1 }
    for (kind, states) in tasks.sorted(by: { $0.key < $1.key }) {
      for state in Set(taskStates).union(states.keys).sorted() {
        metrics.set("pvckit_tasks", "Tasks by kind and state", [("kind", kind), ("state", state)], states[state] ?? 0)
      }
    }
    for fence in source.fences {
      metrics.set(
        "pvckit_fence_events_total", "Fences of each node by result (a count that only rises)",
        [("node", fence.node), ("result", fence.result)], fence.count)
    }
  }

  /// The age of the answered figures: a separate gauge, written at each scrape.
  static func age(of source: MetricsSource) -> String {
    let registry = PrometheusCollectorRegistry()
    registry.makeGauge(name: "pvckit_status_age_seconds", labels: [], help: "Age of the figures this answer holds")
      .set(to: max(0, Date().timeIntervalSince(source.readAt)))
    return registry.emitToString()
  }
}

/// The API's requests by method, route (its pattern, such as `/vm/{vm}`) and status code, and how long they took:
/// `pvckit_api_requests_total` and `pvckit_api_request_duration_seconds`.
final class RequestMetrics: Sendable {
  let registry = PrometheusCollectorRegistry()
  static let buckets: [Duration] = [
    .milliseconds(1), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
    .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5), .seconds(10),
  ]

  func record(method: String, route: String, code: Int, duration: Duration) {
    registry.makeCounter(
      name: "pvckit_api_requests_total", labels: [("method", method), ("route", route), ("code", String(code))],
      help: "API requests answered"
    ).increment()
    registry.makeDurationHistogram(
      name: "pvckit_api_request_duration_seconds", labels: [("method", method), ("route", route)],
      buckets: Self.buckets, help: "Time to answer API requests"
    ).record(duration)
  }

  var text: String { registry.emitToString() }
}
