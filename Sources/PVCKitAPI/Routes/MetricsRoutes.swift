import Hummingbird
import PVCKit

/// `/metrics` and its parts: upstream's families and PVCKit's (`pvckit_`) in Prometheus' text format. Open, as
/// upstream leaves them, while `subsystem.enable_prometheus` is on; answered from the figures the server holds
/// (``MetricsSnapshot``, re-read at most every few seconds), never with a cluster scan per scrape.
enum MetricsRoutes {
  static let all: [APIRoute] = [
    APIRoute(.metrics) { call in
      guard call.server.settings.prometheus else { return disabled }
      return Responses.text(try await call.server.metricsBody())
    },
    APIRoute(.metricsHealth) { call in try await answer(call) { $0.health } },
    APIRoute(.metricsResource) { call in try await answer(call) { $0.resource } },
    APIRoute(.metricsCeph) { call in
      guard call.server.settings.prometheus else { return disabled }
      do {
        return Responses.text(try await call.server.cephMetricsText())
      } catch {
        // Upstream answers 400 when Ceph's metrics cannot be had.
        return Responses.message("Ceph metrics are not available: \(error)", status: .badRequest)
      }
    },
    APIRoute(.metricsZooKeeper) { call in
      guard call.server.settings.prometheus else { return disabled }
      return Responses.text(await call.server.zookeeperMetricsText())
    },
  ]

  /// What the routes answer while `subsystem.enable_prometheus` is off.
  static var disabled: Response {
    Responses.message("Prometheus metrics are not enabled (subsystem.enable_prometheus)", status: .notFound)
  }

  /// The text `body` makes of the held figures.
  static func answer(_ call: APICall, _ body: (MetricsSnapshot) async throws -> String) async throws -> Response {
    guard call.server.settings.prometheus else { return disabled }
    return Responses.text(try await body(try await call.server.metricsSnapshot()))
  }
}
