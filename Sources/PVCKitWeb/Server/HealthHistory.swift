import Foundation
import PVCKit
import Synchronization

/// Cluster and node health over time, for the health page: a sample every 15 seconds (taken in the background
/// once the page has been asked for, and at each view), the last 24 hours kept.
final class HealthHistory: Sendable {
  struct Sample: Sendable {
    var time: Double
    var cluster: Int
    var nodes: [String: Int]
  }
  private struct State {
    var samples: [Sample] = []
    var sampling = false
  }
  private let state = Mutex(State())
  /// How many samples are kept (24 hours at one per 15 seconds).
  let keep = 5760
  let interval: Duration = .seconds(15)

  /// Adds a sample (replacing one taken less than a second before).
  func record(_ status: ClusterStatus, nodes: [NodeInfo]) {
    let sample = Sample(
      time: Date().timeIntervalSince1970, cluster: status.clusterHealth.health,
      nodes: Dictionary(nodes.map { ($0.name, $0.health ?? 0) }, uniquingKeysWith: { a, _ in a }))
    state.withLock { state in
      if let last = state.samples.last, sample.time - last.time < 1 { state.samples.removeLast() }
      state.samples.append(sample)
      if state.samples.count > keep { state.samples.removeFirst(state.samples.count - keep) }
    }
  }

  /// Starts the background sampling, once.
  func startSampling(_ cluster: PVCCluster) {
    let start = state.withLock { state in
      defer { state.sampling = true }
      return !state.sampling
    }
    guard start else { return }
    Task { [weak self] in
      while let history = self {
        if let status = try? await cluster.status(), let nodes = try? await cluster.nodes.list() {
          history.record(status, nodes: nodes)
        }
        try? await Task.sleep(for: history.interval)
      }
    }
  }

  /// The samples, at most `points` of them (evenly picked), oldest first.
  func series(points: Int = 120) -> [Sample] {
    let samples = state.withLock { $0.samples }
    guard samples.count > points, points > 1 else { return samples }
    let step = Double(samples.count - 1) / Double(points - 1)
    return (0..<points).map { samples[min(samples.count - 1, Int((Double($0) * step).rounded()))] }
  }
}
