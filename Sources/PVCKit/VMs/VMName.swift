import Foundation

/// The rules for VM names and UUIDs.
public enum VMName {
  /// Checks a VM name: 1 to 100 characters of letters, digits, `.`, `_` and `-`,
  /// not starting with `.` or `-` (names become file, volume and path names).
  public static func check(_ name: String) throws {
    let allowed = name.utf8.allSatisfy { byte in
      switch byte {
      case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
        UInt8(ascii: "0")...UInt8(ascii: "9"),
        UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "-"):
        true
      default: false
      }
    }
    guard !name.isEmpty, name.utf8.count <= 100, allowed, !name.hasPrefix("."), !name.hasPrefix("-") else {
      let shown = name.unicodeScalars.map { $0.properties.generalCategory == .control ? "?" : String($0) }.joined()
      throw VMError.invalidName(
        "invalid VM name '\(shown)': use 1 to 100 letters, digits, '.', '_' or '-', not starting with '.' or '-'")
    }
  }

  /// The canonical (lowercase, hyphenated) form of a UUID, or `nil` if `text` is not one.
  /// Hyphens are optional and braces or a `urn:uuid:` prefix are accepted, as upstream does.
  public static func canonicalUUID(_ text: String) -> String? {
    var body = Substring(text.trimmingXMLWhitespace)
    if body.utf8.count > 45 { return nil }  // "urn:uuid:{...}" at most
    if body.lowercased().hasPrefix("urn:uuid:") { body = body.dropFirst(9) }
    if body.hasPrefix("{") && body.hasSuffix("}") { body = body.dropFirst().dropLast() }
    var digits: [UInt8] = []
    digits.reserveCapacity(32)
    var groups = [0]
    for byte in body.utf8 {
      switch byte {
      case UInt8(ascii: "-"): groups.append(0)
      case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "f"):
        digits.append(byte)
        groups[groups.count - 1] += 1
      case UInt8(ascii: "A")...UInt8(ascii: "F"):
        digits.append(byte | 0x20)  // lower case
        groups[groups.count - 1] += 1
      default: return nil
      }
    }
    guard digits.count == 32, groups == [32] || groups == [8, 4, 4, 4, 12] else { return nil }
    var canonical: [UInt8] = []
    canonical.reserveCapacity(36)
    for (index, digit) in digits.enumerated() {
      if index == 8 || index == 12 || index == 16 || index == 20 { canonical.append(UInt8(ascii: "-")) }
      canonical.append(digit)
    }
    return String(decoding: canonical, as: UTF8.self)
  }
}
