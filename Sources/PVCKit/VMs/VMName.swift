import Foundation

/// The rules for VM names and UUIDs.
public enum VMName {
  /// Checks a VM name: 1 to 100 characters of letters, digits, `.`, `_` and `-`,
  /// not starting with `.` or `-` (names become file, volume and path names).
  public static func check(_ name: String) throws {
    let allowed = name.unicodeScalars.allSatisfy {
      $0.isASCII && (($0.properties.isAlphabetic || ("0"..."9").contains($0)) || "._-".unicodeScalars.contains($0))
    }
    guard !name.isEmpty, name.count <= 100, allowed, !name.hasPrefix("."), !name.hasPrefix("-") else {
      let shown = name.unicodeScalars.map { $0.properties.generalCategory == .control ? "?" : String($0) }.joined()
      throw VMError.invalidName(
        "invalid VM name '\(shown)': use 1 to 100 letters, digits, '.', '_' or '-', not starting with '.' or '-'")
    }
  }

  /// The canonical (lowercase, hyphenated) form of a UUID, or `nil` if `text` is not one.
  /// Hyphens are optional and braces or a `urn:uuid:` prefix are accepted, as upstream does.
  public static func canonicalUUID(_ text: String) -> String? {
    var hex = text.trimmingCharacters(in: .whitespaces).lowercased()
    if hex.hasPrefix("urn:uuid:") { hex.removeFirst(9) }
    if hex.hasPrefix("{") && hex.hasSuffix("}") { hex = String(hex.dropFirst().dropLast()) }
    let digits = hex.filter { $0 != "-" }
    guard digits.count == 32, digits.allSatisfy(\.isHexDigit) else { return nil }
    if hex.contains("-") {
      let groups = hex.split(separator: "-", omittingEmptySubsequences: false).map(\.count)
      guard groups == [8, 4, 4, 4, 12] else { return nil }
    }
    let characters = Array(digits)
    return [0..<8, 8..<12, 12..<16, 16..<20, 20..<32].map { String(characters[$0]) }.joined(separator: "-")
  }
}
