import Foundation

/// What the terminal can show.
enum Terminal {
  /// Colour only when standard output is a terminal and NO_COLOR is not set.
  static var colour: Bool {
    isatty(STDOUT_FILENO) != 0 && ProcessInfo.processInfo.environment["NO_COLOR"] == nil
  }

  static func paint(_ text: String, _ code: String, _ enabled: Bool) -> String {
    enabled ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
  }
}
