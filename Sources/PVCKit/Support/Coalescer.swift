import Synchronization

/// Shares one read among the requests that want it at the same time: while a
/// read for a key is in flight, more requests for that key wait for its result
/// instead of starting their own. Nothing is kept once the read is done.
package final class Coalescer<Key: Hashable & Sendable, Value: Sendable>: Sendable {
  private let inFlight = Mutex<[Key: Task<Value, any Error>]>([:])

  /// Creates a coalescer with nothing in flight.
  package init() {}

  /// The value for `key`: from the read in flight, or from a new `read`.
  package func value(for key: Key, read: @escaping @Sendable () async throws -> Value) async throws -> Value {
    let task = inFlight.withLock { tasks in
      if let running = tasks[key] { return running }
      let started = Task { try await read() }
      tasks[key] = started
      return started
    }
    defer { inFlight.withLock { tasks in if tasks[key] == task { tasks[key] = nil } } }
    return try await task.value
  }
}
