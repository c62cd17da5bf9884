import Synchronization

/// A lock shared through ZooKeeper: exclusive, or one side of a read/write lock.
///
/// Contenders queue as ephemeral sequential nodes under ``path``; each waits
/// only for its nearest blocking predecessor. Because the nodes are ephemeral,
/// a holder whose session expires loses the lock at once: the next contender
/// gets it, and the former holder sees ``isHeld`` turn `false`.
///
/// ```swift
/// let lock = DistributedLock(client: zk, path: "/config/fence_lock")
/// try await lock.withLock(timeout: .seconds(4)) { try await fence(node) }
/// ```
///
/// One instance holds the lock at most once at a time; create one instance per
/// holder. Thread safety: all methods may be called from any task.
public final class DistributedLock: Sendable {
  /// How a lock excludes others.
  public enum Mode: Sendable, Hashable {
    /// Excludes every other holder (kazoo's `Lock`).
    case exclusive
    /// Shared with other readers; excluded by writers queued before it.
    case read
    /// Excludes readers and writers (kazoo's `WriteLock`; same as exclusive).
    case write

    var marker: String { self == .read ? "__rlock__" : "__lock__" }
  }

  /// The lock's parent node.
  public let path: String
  /// How this lock excludes others.
  public let mode: Mode
  /// Stored as the contender node's data, to tell who holds the lock.
  public let identifier: String
  private let contender: SequentialContender
  private let held = Mutex<Held?>(nil)

  private struct Held {
    var name: String
    var monitor: Task<Void, Never>
    var lost = false
  }

  /// Creates a lock at `path` (created if missing) on `client`.
  public init(client: ZooKeeper, path: String, mode: Mode = .exclusive, identifier: String = "") {
    self.path = path
    self.mode = mode
    self.identifier = identifier
    contender = SequentialContender(client: client, parent: path, marker: mode.marker)
  }

  /// Whether this instance holds the lock. Turns `false` when the lock is
  /// released or lost with the session.
  public var isHeld: Bool { held.withLock { $0.map { !$0.lost } ?? false } }

  /// Waits for the lock.
  /// - Parameter timeout: give up after this long (`nil` waits as long as it takes).
  /// - Throws: ``CoordinationError`` (``CoordinationError/Reason/timedOut``,
  ///   ``CoordinationError/Reason/lost``) or ``ZooKeeperError``.
  public func acquire(timeout: Duration? = nil) async throws {
    let deadline = timeout.map { ContinuousClock.now + $0 }
    let name = try await contender.enter(data: Array(identifier.utf8))
    let mode = self.mode
    do {
      try await contender.waitForTurn(name, deadline: deadline) { other in
        mode == .read ? other.contains("__lock__") : other.contains("__lock__") || other.contains("__rlock__")
      }
    } catch {
      try? await contender.leave(name)
      throw error
    }
    let own = contender.path(name)
    let client = contender.client
    let monitor = Task { [weak self] in
      for await value in client.watchData(own) where value == nil {
        self?.held.withLock { $0?.lost = true }
        return
      }
    }
    held.withLock { $0 = Held(name: name, monitor: monitor) }
  }

  /// Releases the lock.
  /// - Throws: ``CoordinationError/Reason/notHeld`` if it is not held.
  public func release() async throws {
    guard
      let current = held.withLock({ h -> Held? in
        defer { h = nil }
        return h
      })
    else { throw CoordinationError(.notHeld, path: path) }
    current.monitor.cancel()
    try await contender.leave(current.name)
  }

  /// Runs `body` while holding the lock, releasing it afterwards.
  public func withLock<T: Sendable>(timeout: Duration? = nil, _ body: () async throws -> T) async throws -> T {
    try await acquire(timeout: timeout)
    do {
      let result = try await body()
      try await release()
      return result
    } catch {
      try? await release()
      throw error
    }
  }

  /// The identifiers of the current holders and waiters, in queue order.
  public func contenders() async throws -> [String] {
    let client = contender.client
    guard try await client.exists(path) != nil else { return [] }
    let names = SequentialContender.ordered(try await client.children(path))
    return try await client.getMany(names.map { contender.path($0) }).compactMap { $0?.string }
  }
}
