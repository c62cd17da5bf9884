import Hummingbird
import Logging
import ServiceLifecycle

/// An API server serving in the background (see ``APIServer/start()``).
public final class RunningAPIServer: Sendable {
  private let group: ServiceGroup
  private let task: Task<Void, any Error>
  private let server: APIServer

  init(group: ServiceGroup, task: Task<Void, any Error>, server: APIServer) {
    self.group = group
    self.task = task
    self.server = server
  }

  /// Stops serving: no new connections, the requests in progress are finished.
  public func stop() async {
    await group.triggerGracefulShutdown()
    _ = try? await task.value
    await server.listing.stop()
  }
}

extension APIServer {
  /// Starts serving in the background and returns once the server accepts
  /// connections (for a process that runs other things too, such as pvcd).
  /// - Throws: why the server could not start (the port is taken, the certificate is unreadable...).
  public func start() async throws -> RunningAPIServer {
    listing.start()
    let (started, signal) = AsyncStream.makeStream(of: Void.self)
    let application = try application { signal.yield() }
    let group = ServiceGroup(
      services: [application], gracefulShutdownSignals: [], cancellationSignals: [],
      logger: Logger(label: "pvcapi"))
    let task = Task {
      defer { signal.finish() }
      try await group.run()
    }
    var iterator = started.makeAsyncIterator()
    guard await iterator.next() != nil else {
      // The server ended before it was running: say why.
      var reason = "it stopped at once"
      do { try await task.value } catch { reason = "\(error)" }
      await listing.stop()
      throw APIServerError.notStarted(reason)
    }
    return RunningAPIServer(group: group, task: task, server: self)
  }
}

/// The API server could not serve.
public enum APIServerError: Error, Sendable, CustomStringConvertible {
  case notStarted(String)

  public var description: String {
    switch self {
    case .notStarted(let reason): "the API server did not start: \(reason)"
    }
  }
}
