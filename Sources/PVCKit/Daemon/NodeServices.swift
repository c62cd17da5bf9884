import Logging
import ServiceLifecycle

/// One of the node daemon's workers as a ServiceLifecycle service: it runs
/// `body` until a graceful shutdown (or cancellation), then `stop`, if any,
/// for what must happen before the next service is stopped. A body that ends
/// gracefully on its own (`handlesShutdown`) is not cancelled.
struct NodeService: Service, CustomStringConvertible {
  let description: String
  let body: @Sendable () async -> Void
  var stop: (@Sendable () async -> Void)?
  var handlesShutdown = false

  init(
    _ name: String, handlesShutdown: Bool = false, body: @escaping @Sendable () async -> Void,
    stop: (@Sendable () async -> Void)? = nil
  ) {
    description = name
    self.handlesShutdown = handlesShutdown
    self.body = body
    self.stop = stop
  }

  func run() async throws {
    if handlesShutdown { await body() } else { await cancelWhenGracefulShutdown { await body() } }
    if let stop, Task.isShuttingDownGracefully { await stop() }
  }
}

/// A service that does nothing until the daemon stops, then `stop` (first,
/// being last in the list): the daemon's announcement that it is stopping.
struct StopStep: Service, CustomStringConvertible {
  let description: String
  let stop: @Sendable () async -> Void

  func run() async throws {
    try? await gracefulShutdown()
    if Task.isShuttingDownGracefully { await stop() }
  }
}

/// Feeds the node's recent log lines (published to ZooKeeper) from swift-log.
struct NodeLogHandler: LogHandler {
  let nodeLog: NodeLog
  var logLevel: Logger.Level
  var metadata: Logger.Metadata = [:]

  subscript(metadataKey key: String) -> Logger.Metadata.Value? {
    get { metadata[key] }
    set { metadata[key] = newValue }
  }

  func log(event: LogEvent) {
    nodeLog.append("\(event.level) \(event.message)")
  }
}
