import Synchronization

/// A service only the primary coordinator runs (floating addresses, fencing,
/// fault checks; later the API, DHCP and DNS). The primary starts its duties in
/// order when it takes over and stops them in reverse order when it gives up
/// the role or loses its session.
public protocol PrimaryDuty: Sendable {
  /// A name for logs.
  var name: String { get }
  /// Starts the duty; returns once it is in service.
  func start() async throws
  /// Stops the duty; returns once it is out of service. Must not fail.
  func stop() async
}

/// A duty that is a loop running in the background while this node is primary.
public final class LoopDuty: PrimaryDuty {
  public let name: String
  private let body: @Sendable () async -> Void
  private let task = Mutex<Task<Void, Never>?>(nil)

  /// Creates a duty running `body` until it is stopped (the body should return when cancelled).
  public init(name: String, body: @escaping @Sendable () async -> Void) {
    self.name = name
    self.body = body
  }

  public func start() async throws {
    let body = self.body
    task.withLock { current in
      current?.cancel()
      current = Task { await body() }
    }
  }

  public func stop() async {
    guard
      let running = task.withLock({ current in
        defer { current = nil }
        return current
      })
    else { return }
    running.cancel()
    await running.value
  }
}
