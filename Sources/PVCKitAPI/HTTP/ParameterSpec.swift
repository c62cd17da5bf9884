import PVCKitServer

/// One parameter a route accepts: its name, type and whether it is required.
/// Routes declare them; requests are checked against them before any handler
/// runs, and the OpenAPI document is written from them.
struct ParameterSpec: Sendable {
  enum Kind: Sendable {
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

  var name: String
  var kind: Kind
  var required: Bool
  /// May be given several times (`user_tags=a&user_tags=b`).
  var repeated: Bool
  /// What it is, for people (also the text of a "missing" error).
  var help: String

  static let maxLength = 4096

  static func string(_ name: String, required: Bool = false, repeated: Bool = false, _ help: String) -> Self {
    Self(name: name, kind: .string, required: required, repeated: repeated, help: help)
  }
  static func boolean(_ name: String, required: Bool = false, _ help: String) -> Self {
    Self(name: name, kind: .boolean, required: required, repeated: false, help: help)
  }
  static func integer(_ name: String, _ range: ClosedRange<Int>, required: Bool = false, _ help: String) -> Self {
    Self(name: name, kind: .integer(range), required: required, repeated: false, help: help)
  }
  static func choice(_ name: String, _ words: [String], required: Bool = false, _ help: String) -> Self {
    Self(name: name, kind: .choice(words), required: required, repeated: false, help: help)
  }
  static func text(_ name: String, required: Bool = false, _ help: String) -> Self {
    Self(name: name, kind: .text, required: required, repeated: false, help: help)
  }

  /// Reads a boolean as upstream does.
  static func boolean(from text: String) -> Bool? {
    switch text.lowercased() {
    case "y", "yes", "t", "true", "on", "1": true
    case "n", "no", "f", "false", "off", "0": false
    default: nil
    }
  }

  /// Why a value is unacceptable, or `nil` if it is fine.
  func problem(with value: String) -> String? {
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
  static func shown(_ value: String) -> String {
    let printable = String(
      value.unicodeScalars.map { $0.properties.generalCategory == .control ? "?" : Character($0) })
    return printable.count > 40 ? printable.prefix(40) + "…" : printable
  }
}

/// A request's parameters, checked against its route's declarations.
struct ValidatedParameters: Sendable {
  private let parameters: RequestParameters

  /// Checks every declared parameter; the first problem becomes a 400 naming it.
  init(_ parameters: RequestParameters, against specs: [ParameterSpec]) throws(APIError) {
    for spec in specs {
      let values = parameters.all(spec.name)
      if values.isEmpty {
        if spec.required { throw .parameter(spec.name, "\(spec.help) (required)") }
        continue
      }
      if !spec.repeated && values.count > 1 { throw .parameter(spec.name, "given more than once") }
      for value in values {
        if let problem = spec.problem(with: value) { throw .parameter(spec.name, problem) }
      }
    }
    self.parameters = parameters
  }

  /// A text parameter (nil when absent; an empty value counts as absent).
  func string(_ name: String) -> String? {
    guard let value = parameters.first(name), !value.isEmpty else { return nil }
    return value
  }
  /// Every value of a repeated parameter.
  func strings(_ name: String) -> [String] { parameters.all(name).filter { !$0.isEmpty } }
  /// A boolean parameter (nil when absent).
  func bool(_ name: String) -> Bool? { parameters.first(name).flatMap(ParameterSpec.boolean(from:)) }
  /// A boolean parameter, false when absent.
  func flag(_ name: String) -> Bool { bool(name) ?? false }
  /// A whole-number parameter (nil when absent).
  func int(_ name: String) -> Int? { parameters.first(name).flatMap { Int($0) } }
  /// Whether the parameter came in the URL's query string rather than the body.
  func isInQuery(_ name: String) -> Bool { parameters.isInQuery(name) }
}
