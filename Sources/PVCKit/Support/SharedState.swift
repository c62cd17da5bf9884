import Synchronization

/// A value behind a lock that copies of a struct share (a `Mutex` cannot be copied): the memory of a worker or a
/// health plugin between its runs.
final class SharedState<Value: Sendable>: Sendable {
  private let mutex: Mutex<Value>

  init(_ value: Value) { mutex = Mutex(value) }

  /// Runs `body` with the value, under the lock.
  func withLock<T: Sendable>(_ body: (inout Value) throws -> T) rethrows -> T {
    try mutex.withLock { try body(&$0) }
  }
}
