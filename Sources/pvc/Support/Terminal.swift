import Foundation

/// What the terminal can show.
enum Terminal {
  /// Colour when asked (`--colour`, PVC_COLOUR), else only when standard output is a terminal and NO_COLOR is not set.
  static var colour: Bool {
    if isSet("PVC_COLOUR") { return true }
    return isatty(STDOUT_FILENO) != 0 && ProcessInfo.processInfo.environment["NO_COLOR"] == nil
  }

  /// Whether an environment switch is on (set, not empty, not 0).
  static func isSet(_ variable: String) -> Bool {
    ProcessInfo.processInfo.environment[variable].map { !$0.isEmpty && $0 != "0" } ?? false
  }

  static func paint(_ text: String, _ code: String, _ enabled: Bool) -> String {
    enabled ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
  }
}
