/// Decides which nodes are dead from how long ago their keepalive last
/// changed, measured on the observer's own clock: a node's clock is never
/// compared with another machine's.
public struct DeadNodeDetector: Sendable, Hashable {
  /// The last keepalive value seen per node, and when (on this observer's clock) it changed.
  private var seen: [String: (value: String, changedAt: Duration)] = [:]

  public init() {}

  public static func == (lhs: Self, rhs: Self) -> Bool {
    lhs.seen.mapValues(\.changedAt) == rhs.seen.mapValues(\.changedAt)
  }
  public func hash(into hasher: inout Hasher) { hasher.combine(seen.count) }

  /// Records a node's keepalive as read at `now` (a monotonic time).
  public mutating func observe(_ node: String, keepalive: String, at now: Duration) {
    if let last = seen[node], last.value == keepalive { return }
    seen[node] = (keepalive, now)
  }

  /// Forgets a node (removed from the cluster).
  public mutating func forget(_ node: String) { seen[node] = nil }

  /// How long ago, on this clock, the node's keepalive last changed (nil if never seen).
  public func silence(of node: String, at now: Duration) -> Duration? {
    seen[node].map { now - $0.changedAt }
  }

  /// Whether a node is dead: it is in `run` and its keepalive has not changed for
  /// longer than `interval × intervals`. A node never seen changing is given the
  /// full period from the first observation.
  public func isDead(_ node: String, daemonState: NodeDaemonState, at now: Duration, interval: Duration, intervals: Int)
    -> Bool
  {
    guard daemonState == .run, let silence = silence(of: node, at: now) else { return false }
    return silence > interval * intervals
  }
}
