/// One parameter of an operation (see ``OperationSpec``): its upstream name,
/// kind, whether it is required, and what it is for. The API checks requests
/// against it before any handler runs, the OpenAPI document and `pvc`'s help
/// are written from it, and PVCKit's HTTP client sends only what is declared.
public struct OperationParameter: Sendable {
  /// What values a parameter takes.
  public enum Kind: Sendable {
    /// One line of text (no control characters), at most `maxLength` bytes.
    case string
    /// `true`/`false` as upstream's `strtobool` reads them (yes/no, on/off, 1/0...).
    case boolean
    /// A whole number in a range.
    case integer(ClosedRange<Int>)
    /// One of fixed words.
    case choice([String])
    /// A document (XML, JSON): several lines allowed.
    case text
  }

  /// Its name in the API (upstream's).
  public var name: String
  public var kind: Kind
  public var required: Bool
  /// May be given several times (`user_tags=a&user_tags=b`).
  public var repeated: Bool
  /// What it is, for people (also the text of a "missing" error).
  public var help: String

  /// The longest one-line value.
  public static let maxLength = 4096

  /// A parameter of this kind.
  public static func string(_ name: String, required: Bool = false, repeated: Bool = false, _ help: String) -> Self {
    Self(name: name, kind: .string, required: required, repeated: repeated, help: help)
  }
  /// A parameter of this kind.
  public static func boolean(_ name: String, required: Bool = false, _ help: String) -> Self {
    Self(name: name, kind: .boolean, required: required, repeated: false, help: help)
  }
  /// A parameter of this kind.
  public static func integer(_ name: String, _ range: ClosedRange<Int>, required: Bool = false, _ help: String) -> Self
  {
    Self(name: name, kind: .integer(range), required: required, repeated: false, help: help)
  }
  /// A parameter of this kind.
  public static func choice(_ name: String, _ words: [String], required: Bool = false, _ help: String) -> Self {
    Self(name: name, kind: .choice(words), required: required, repeated: false, help: help)
  }
  /// A parameter of this kind.
  public static func text(_ name: String, required: Bool = false, _ help: String) -> Self {
    Self(name: name, kind: .text, required: required, repeated: false, help: help)
  }

  /// Reads a boolean as upstream does.
  public static func boolean(from text: String) -> Bool? {
    switch text.lowercased() {
    case "y", "yes", "t", "true", "on", "1": true
    case "n", "no", "f", "false", "off", "0": false
    default: nil
    }
  }

  /// Why a value is unacceptable, or `nil` if it is fine.
  public func problem(with value: String) -> String? {
    switch kind {
    case .string:
      if value.utf8.count > Self.maxLength { return "longer than \(Self.maxLength) bytes" }
      if value.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
        return "contains control characters"
      }
      return nil
    case .boolean:
      return Self.boolean(from: value) == nil ? "expected true or false, found '\(Self.shown(value))'" : nil
    case .integer(let range):
      guard let number = Int(value), range.contains(number) else {
        return "expected a whole number from \(range.lowerBound) to \(range.upperBound), found '\(Self.shown(value))'"
      }
      return nil
    case .choice(let words):
      return words.contains(value)
        ? nil : "expected one of \(words.joined(separator: ", ")), found '\(Self.shown(value))'"
    case .text:
      return value.unicodeScalars.contains { $0.value == 0 } ? "contains a NUL character" : nil
    }
  }

  /// A value as it can be shown in an error: short, printable.
  public static func shown(_ value: String) -> String {
    let printable = String(
      value.unicodeScalars.map { $0.properties.generalCategory == .control ? "?" : Character($0) })
    return printable.count > 40 ? printable.prefix(40) + "…" : printable
  }
}
