import Foundation
import Synchronization

/// A small pool of ``MariaDBConnection``s to a Galera cluster: statements and transactions borrow a
/// connection, a connection that lost its member is dropped and the next one goes to another synced member,
/// and transactions that lose a race (deadlock, certification conflict) are run again.
///
/// Thread safety: every method may be called concurrently; at most `size` connections are open, and callers
/// beyond that wait for one to come back.
public final class MariaDBPool: Sendable {
  /// Where and how connections are made.
  public let settings: MariaDBConnection.Settings
  /// The most connections open at once.
  public let size: Int
  /// How many times a transaction that lost a race, or whose member went away before it committed, is run.
  public let attempts: Int

  private struct State {
    var idle: [MariaDBConnection] = []
    var open = 0
    var waiters: [CheckedContinuation<Void, Never>] = []
    var closed = false
  }
  private let state = Mutex(State())

  /// Creates a pool; no connection is made until one is needed.
  public init(_ settings: MariaDBConnection.Settings, size: Int = 4, attempts: Int = 10) {
    self.settings = settings
    self.size = max(1, min(size, 64))
    self.attempts = max(1, min(attempts, 20))
  }

  /// Runs one statement; returns the rows it affected. Retried on another member when the connection is lost.
  @discardableResult
  public func execute(_ sql: String, _ values: [SQLValue] = []) async throws -> Int {
    try await withRetries(retryingLostConnection: false) { try await $0.execute(sql, values) }
  }

  /// Runs one query; returns its rows. Retried on another member when the connection is lost.
  public func query(_ sql: String, _ values: [SQLValue] = []) async throws -> [[String?]] {
    try await withRetries(retryingLostConnection: true) { try await $0.query(sql, values) }
  }

  /// Runs `body` in a transaction: committed when it returns, rolled back when it throws. The whole
  /// transaction is run again (up to ``attempts`` times, with a short growing pause) when it loses a race, or
  /// when its member goes away before the commit; so `body` must only read and write through its connection.
  public func transaction<T: Sendable>(_ body: @Sendable (MariaDBConnection) async throws -> T) async throws -> T {
    try await withRetries(retryingLostConnection: true) { connection in
      try await connection.execute("START TRANSACTION")
      let result: T
      do {
        result = try await body(connection)
      } catch {
        if !((error as? MariaDBError)?.isConnectionLost ?? false) {
          _ = try? await connection.execute("ROLLBACK")
        }
        throw error
      }
      do {
        try await connection.execute("COMMIT")
      } catch let error as MariaDBError where error.isConnectionLost {
        // The commit may or may not have happened: never run it twice.
        throw MariaDBError(
          operation: Self.uncertainCommit, code: error.code,
          message: "the connection was lost during the commit; the change may or may not have been made")
      }
      return result
    }
  }

  /// Closes every idle connection; connections in use are closed when they come back.
  public func close() async {
    let idle = state.withLock { state in
      state.closed = true
      defer { state.idle = [] }
      return state.idle
    }
    for connection in idle { await connection.close() }
  }

  /// How long a connect waits for a member to be synced again.
  static let formingWait = Duration.seconds(20)

  /// The operation of a commit whose answer was lost: never run again.
  static let uncertainCommit = "commit (outcome unknown)"

  // MARK: Borrowing

  private func withRetries<T>(
    retryingLostConnection: Bool, _ body: (MariaDBConnection) async throws -> T
  ) async throws -> T {
    var attempt = 1
    while true {
      let connection = try await borrow()
      do {
        let result = try await body(connection)
        await giveBack(connection, broken: false)
        return result
      } catch let error as MariaDBError {
        let lost = error.isConnectionLost
        // A member out of the cluster's primary component is left for another (a new connection picks a
        // synced one).
        await giveBack(connection, broken: lost || error.isMemberOutOfCluster)
        // A statement that never reached the server (lost while preparing) is always safe to send again.
        let unsent = lost && error.operation == "prepare"
        let again = error.isRetryable || unsent || (lost && retryingLostConnection)
        guard attempt < attempts, again, error.operation != Self.uncertainCommit else {
          throw error
        }
        attempt += 1
        // Growing, and random so that two writers that collided do not collide again in step.
        try await Task.sleep(for: .milliseconds(Int.random(in: 5...(10 + 20 * attempt * attempt))))
      } catch {
        await giveBack(connection, broken: false)
        throw error
      }
    }
  }

  private func borrow() async throws -> MariaDBConnection {
    while true {
      enum Next {
        case use(MariaDBConnection)
        case open
        case wait
      }
      let next: Next = try state.withLock { state in
        guard !state.closed else {
          throw MariaDBError(operation: "borrow a connection", code: 2006, message: "the pool is closed")
        }
        if let connection = state.idle.popLast() { return .use(connection) }
        if state.open < size {
          state.open += 1
          return .open
        }
        return .wait
      }
      switch next {
      case .use(let connection): return connection
      case .open:
        // Members that answer but are not synced are a cluster changing (a member rejoining and its donor,
        // or a primary component forming again): asked again for a while before giving up.
        let deadline = ContinuousClock.now + Self.formingWait
        var pause = Duration.milliseconds(100)
        while true {
          do {
            return try await MariaDBConnection.connect(settings)
          } catch let error as MariaDBError where error.isClusterForming && ContinuousClock.now < deadline {
            do {
              try await Task.sleep(for: pause)
            } catch {
              release()
              throw error
            }
            pause = min(pause * 2, .seconds(1))
          } catch {
            release()
            throw error
          }
        }
      case .wait:
        await withCheckedContinuation { continuation in
          let ready = state.withLock { state in
            // A connection may have come back between the check and now.
            if !state.idle.isEmpty || state.open < size || state.closed { return true }
            state.waiters.append(continuation)
            return false
          }
          if ready { continuation.resume() }
        }
      }
    }
  }

  private func giveBack(_ connection: MariaDBConnection, broken: Bool) async {
    let keep = state.withLock { state in
      guard !broken, !state.closed else { return false }
      state.idle.append(connection)
      if !state.waiters.isEmpty { state.waiters.removeFirst().resume() }
      return true
    }
    if !keep {
      await connection.close()
      release()
    }
  }

  /// One connection fewer is open: a waiter may open its own.
  private func release() {
    state.withLock { state in
      state.open -= 1
      if !state.waiters.isEmpty { state.waiters.removeFirst().resume() }
    }
  }
}
