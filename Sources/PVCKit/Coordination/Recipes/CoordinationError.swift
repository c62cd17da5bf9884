/// An error from a coordination recipe (lock or election).
public struct CoordinationError: Error, Sendable, Hashable, CustomStringConvertible {
  /// What went wrong.
  public enum Reason: Sendable, Hashable {
    /// The lock was not obtained within the allowed time.
    case timedOut
    /// The contender's node disappeared (its session expired): the lock or
    /// leadership was lost and must be sought again.
    case lost
    /// Release was called on a lock that is not held.
    case notHeld
  }

  /// What went wrong.
  public var reason: Reason
  /// The lock or election path.
  public var path: String

  /// Creates an error for the recipe at `path`.
  public init(_ reason: Reason, path: String) {
    self.reason = reason
    self.path = path
  }

  public var description: String {
    switch reason {
    case .timedOut: "timed out waiting for the lock at \(path)"
    case .lost: "lost the lock or candidacy at \(path) (the ZooKeeper session expired)"
    case .notHeld: "the lock at \(path) is not held"
    }
  }
}
