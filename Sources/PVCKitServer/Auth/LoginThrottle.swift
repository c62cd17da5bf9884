import Synchronization

/// A small limit on failed logins, per client address: after `limit` failures
/// within `window`, further attempts are refused until the oldest ages out.
/// Guessing a token then takes ages; a user who mistyped waits a minute.
public final class LoginThrottle: Sendable {
  let limit: Int
  let window: Duration
  private let failures = Mutex<[String: [ContinuousClock.Instant]]>([:])

  /// Creates a throttle (5 failures a minute by default).
  public init(limit: Int = 5, window: Duration = .seconds(60)) {
    self.limit = limit
    self.window = window
  }

  /// Seconds the client must wait before trying again, or `nil` if it may try now.
  public func retryAfter(_ client: String) -> Int? {
    failures.withLock { all in
      let now = ContinuousClock.now
      let recent = (all[client] ?? []).filter { now - $0 < window }
      all[client] = recent.isEmpty ? nil : recent
      guard recent.count >= limit, let oldest = recent.first else { return nil }
      return max(1, Int((window - (now - oldest)).components.seconds) + 1)
    }
  }

  /// Records a failed attempt.
  public func recordFailure(_ client: String) {
    failures.withLock { all in
      // Bounded: a flood of addresses cannot grow the table without end.
      if all.count > 10_000 {
        let now = ContinuousClock.now
        all = all.filter { now - ($0.value.last ?? now) < window }
        if all.count > 10_000 { all.removeAll() }
      }
      all[client, default: []].append(.now)
    }
  }

  /// Forgets a client's failures (after a successful login).
  public func recordSuccess(_ client: String) { _ = failures.withLock { $0.removeValue(forKey: client) } }
}
