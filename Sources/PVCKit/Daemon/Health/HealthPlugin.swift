import Foundation

/// One health check a node daemon runs on its node (upstream's monitoring plugins): a name, how often, and a check
/// that says how much the node's health suffers and why. Node health is 100 minus the sum of the plugins'
/// deltas; a plugin whose delta is above 0 raises the fault `NODE_PLUGIN_<NAME>_<NODE>` on the primary.
///
/// A check runs with a time limit; one that throws or does not finish counts as a failed check
/// (``HealthCheck/failed(_:)``) and never holds up the others or pvcd. Checks written in Swift run inside pvcd and
/// must not trap; an administrator's own checks are executables run as child processes
/// (``ExecutableHealthPlugin``).
public protocol HealthPlugin: Sendable {
  /// The plugin's name in ZooKeeper and faults (`[a-z0-9_-]`, as upstream's: `load`, `lbvt`, `zkpr`...).
  var name: String { get }
  /// How often it runs; `nil` runs it every monitoring interval.
  var interval: Duration? { get }
  /// The longest one check may take.
  var timeout: Duration { get }
  /// Checks the node once.
  func check() async throws -> HealthCheck
}

extension HealthPlugin {
  public var interval: Duration? { nil }
  public var timeout: Duration { .seconds(10) }
}

/// What one check found.
public struct HealthCheck: Sendable, Hashable {
  /// How much the node's health suffers, 0 to 100.
  public var delta: Int
  /// What it found, for people.
  public var message: String
  /// Details (upstream's `data`, a JSON object).
  public var data: JSONValue

  /// A result; the delta is kept within 0...100.
  public init(delta: Int, message: String, data: JSONValue = .object([:])) {
    self.delta = Swift.min(100, Swift.max(0, delta))
    self.message = message
    self.data = data
  }

  /// How much a failed check (one that threw, timed out or could not run) lowers the node's health.
  public static let failureDelta = 10

  /// A check that could not give an answer.
  public static func failed(_ why: String) -> HealthCheck {
    HealthCheck(delta: failureDelta, message: "The check failed: \(why)")
  }

  /// Node health from the plugins' deltas: 100 minus their sum, never below 0.
  public static func nodeHealth(_ deltas: [Int]) -> Int {
    Swift.max(0, 100 - deltas.reduce(0) { Swift.min(100, $0 + Swift.min(100, Swift.max(0, $1))) })
  }
}

/// Plugin names as ZooKeeper and fault ids take them.
enum HealthPluginName {
  /// A name of lowercase letters, digits, `-` and `_`, at most 64 long, or `nil`.
  static func checked(_ name: String) -> String? {
    let lowered = name.lowercased()
    guard !lowered.isEmpty, lowered.utf8.count <= 64,
      lowered.unicodeScalars.allSatisfy({
        ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" || $0 == "_"
      })
    else { return nil }
    return lowered
  }
}
