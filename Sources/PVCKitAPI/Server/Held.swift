import PVCKit
import Synchronization

/// A value as last read (the metrics' figures): scrapers are answered from what is held, never with a cluster scan
/// per request. A held value older than `maxAge` is answered at once while one refresh runs in the background; only
/// the very first request (nothing held yet) waits for a read, which concurrent requests share.
final class Held<Value: Sendable>: Sendable {
  private struct State {
    var status: Value?
    var readAt: ContinuousClock.Instant?
    var refreshing = false
  }
  private let state = Mutex(State())
  private let first = Coalescer<Int, Value>()
  let maxAge: Duration

  init(maxAge: Duration = .seconds(5)) { self.maxAge = maxAge }

  /// The held value, read with `read` if none is held yet.
  func current(read: @escaping @Sendable () async throws -> Value) async throws -> Value {
    let (held, refresh) = state.withLock { state -> (Value?, Bool) in
      guard let status = state.status, let readAt = state.readAt else { return (nil, false) }
      let stale = ContinuousClock.now - readAt > maxAge && !state.refreshing
      if stale { state.refreshing = true }
      return (status, stale)
    }
    if let held {
      if refresh {
        Task {
          let fresh = try? await read()
          self.state.withLock { state in
            if let fresh { (state.status, state.readAt) = (fresh, .now) }
            state.refreshing = false
          }
        }
      }
      return held
    }
    let status = try await first.value(for: 0, read: read)
    state.withLock { state in (state.status, state.readAt) = (status, .now) }
    return status
  }
}
