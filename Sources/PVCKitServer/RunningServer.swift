public import Hummingbird
import Logging
public import ServiceLifecycle

/// A server (the API or the web UI) serving in the background.
public final class RunningServer: Sendable {
  private let group: ServiceGroup
  private let task: Task<Void, any Error>
  private let onStop: @Sendable () async -> Void

  /// Starts a service made by `make` (which must call the closure it is given
  /// once it accepts connections) and returns once it does.
  /// - Throws: why it could not start (the port is taken, the certificate is unreadable...).
  public static func start(
    label: String, onStop: @escaping @Sendable () async -> Void = {},
    make: (@escaping @Sendable () async -> Void) throws -> any Service
  ) async throws -> RunningServer {
    let (started, signal) = AsyncStream.makeStream(of: Void.self)
    let service = try make { signal.yield() }
    let group = ServiceGroup(
      services: [service], gracefulShutdownSignals: [], cancellationSignals: [], logger: Logger(label: label))
    let task = Task {
      defer { signal.finish() }
      try await group.run()
    }
    var iterator = started.makeAsyncIterator()
    guard await iterator.next() != nil else {
      var reason = "it stopped at once"
      do { try await task.value } catch { reason = "\(error)" }
      await onStop()
      throw ServerError.notStarted(reason)
    }
    return RunningServer(group: group, task: task, onStop: onStop)
  }

  private init(group: ServiceGroup, task: Task<Void, any Error>, onStop: @escaping @Sendable () async -> Void) {
    self.group = group
    self.task = task
    self.onStop = onStop
  }

  /// Stops serving: no new connections, the requests in progress are finished.
  public func stop() async {
    await group.triggerGracefulShutdown()
    _ = try? await task.value
    await onStop()
  }
}

/// The server could not serve.
public enum ServerError: Error, Sendable, CustomStringConvertible {
  case notStarted(String)

  public var description: String {
    switch self {
    case .notStarted(let reason): "the server did not start: \(reason)"
    }
  }
}
