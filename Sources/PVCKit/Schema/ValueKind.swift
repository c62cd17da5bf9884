import Foundation

/// What a key's value must look like for PVCKit to use it. Readers use it to
/// tell a usable value from a bad one (which they report and replace with the
/// key's default), and `restore` checks every value of a backup with it before
/// writing anything.
public enum ValueKind: Sendable, Hashable {
  /// Any text (PVCKit shows it, never interprets it).
  case text
  /// A state or another short word: letters, digits, `.`, `_` and `-`, at most 64.
  /// Open on purpose: a newer daemon's states are kept as they are.
  case word
  /// A whole number in a range, or one of some words (upstream's `None`).
  case integer(ClosedRange<Int>, orWords: [String] = [])
  /// A finite decimal number within ±2⁵³.
  case decimal
  /// `true` or `false`, in any case (upstream writes `True`/`False`).
  case boolean
  /// A JSON object or array.
  case json
  /// A stored libvirt domain definition (parsed as for display).
  case domainXML

  /// Whole numbers that count something: 0 to 2⁵³.
  public static let count = ValueKind.integer(0...CheckedNumbers.maximumMagnitude)
  /// Any whole number within ±2⁵³.
  public static let signed = ValueKind.integer(-CheckedNumbers.maximumMagnitude...CheckedNumbers.maximumMagnitude)

  /// Why `value` is not of this kind, or `nil` when it is. An empty value is an
  /// unset key (its default applies) for every kind but ``domainXML``.
  public func problem(with value: String) -> String? {
    if value.isEmpty { return self == .domainXML ? "the definition is empty" : nil }
    switch self {
    case .text:
      return nil
    case .word:
      let valid =
        value.utf8.count <= 64
        && value.unicodeScalars.allSatisfy {
          $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "._-".unicodeScalars.contains($0))
        }
      return valid ? nil : "'\(Self.shown(value))' is not a state or word"
    case .integer(let range, let words):
      if words.contains(value) { return nil }
      guard let number = Int(bounded: value), range.contains(number) else {
        return "'\(Self.shown(value))' is not a whole number from \(range.lowerBound) to \(range.upperBound)"
      }
      return nil
    case .decimal:
      return Double(bounded: value) == nil ? "'\(Self.shown(value))' is not a finite number" : nil
    case .boolean:
      return ["true", "false"].contains(value.lowercased()) ? nil : "'\(Self.shown(value))' is not true or false"
    case .json:
      guard value.utf8.count <= 1 << 20,
        let object = try? JSONSerialization.jsonObject(with: Data(value.utf8)),
        object is [String: Any] || object is [Any]
      else { return "not a JSON object or array" }
      return nil
    case .domainXML:
      do {
        _ = try DomainXML(stored: value)
        return nil
      } catch {
        return "\(error)"
      }
    }
  }

  /// A value as it can be shown in a message: printable, at most 40 characters.
  static func shown(_ value: String) -> String {
    let printable = String(
      value.unicodeScalars.prefix(41).map { $0.properties.generalCategory == .control ? "?" : Character($0) })
    return printable.count > 40 ? printable.prefix(40) + "…" : printable
  }
}

extension Record {
  /// The values read that are not of their key's kind, each with its path.
  /// Documents (JSON, XML) are left to the code that parses them anyway, which
  /// reports them itself: checking them here would parse them twice.
  public var problems: [RecordProblem] {
    values.compactMap { key, value in
      let kind = key.spec.kind
      guard kind != .json && kind != .domainXML else { return nil }
      return kind.problem(with: value).map { RecordProblem(path: basePath + key.spec.path, problem: $0) }
    }.sorted { $0.path < $1.path }
  }
}
