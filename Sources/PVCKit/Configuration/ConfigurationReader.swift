import Foundation

/// Walks a parsed YAML document, reading typed values and naming the exact key
/// and file in every error.
struct ConfigurationReader {
  let file: String
  let path: String
  let node: [String: Any]

  func keyPath(_ key: String) -> String { path.isEmpty ? key : path + "." + key }

  func error(_ key: String, _ problem: String) -> ConfigurationError {
    ConfigurationError(file: file, key: keyPath(key), problem: problem)
  }

  private func present(_ key: String) -> Any? {
    guard let value = node[key], !(value is NSNull) else { return nil }
    return value
  }

  private func required(_ key: String) throws -> Any {
    guard let value = present(key) else { throw error(key, "required key is missing") }
    return value
  }

  /// A required mapping.
  func section(_ key: String) throws -> ConfigurationReader {
    guard let mapping = try required(key) as? [String: Any] else {
      throw error(key, "expected a mapping of keys to values")
    }
    return ConfigurationReader(file: file, path: keyPath(key), node: mapping)
  }

  /// An optional mapping (`nil` when absent).
  func optionalSection(_ key: String) throws -> ConfigurationReader? {
    guard present(key) != nil else { return nil }
    return try section(key)
  }

  /// A required scalar as text (numbers are accepted and shown as text).
  func string(_ key: String) throws -> String {
    try describe(required(key), key)
  }

  /// An optional scalar as text.
  func string(_ key: String, default fallback: String) throws -> String {
    guard let value = present(key) else { return fallback }
    return try describe(value, key)
  }

  private func describe(_ value: Any, _ key: String) throws -> String {
    switch value {
    case let text as String: return text
    case let number as Int: return String(number)
    case let number as Double: return String(number)
    case let flag as Bool: return flag ? "yes" : "no"
    default: throw error(key, "expected a single value, found a list or mapping")
    }
  }

  /// A required integer within `range`.
  func int(_ key: String, in range: ClosedRange<Int>) throws -> Int {
    try checkedInt(required(key), key, range)
  }

  /// An optional integer within `range`.
  func int(_ key: String, default fallback: Int, in range: ClosedRange<Int>) throws -> Int {
    guard let value = present(key) else { return fallback }
    return try checkedInt(value, key, range)
  }

  private func checkedInt(_ value: Any, _ key: String, _ range: ClosedRange<Int>) throws -> Int {
    let number: Int? =
      switch value {
      case let n as Int: n
      case let text as String: Int(text.trimmingCharacters(in: .whitespaces))
      default: nil
      }
    guard let number, range.contains(number) else {
      throw error(key, "expected a whole number from \(range.lowerBound) to \(range.upperBound), found '\(value)'")
    }
    return number
  }

  /// An optional yes/no value (YAML `yes`, `no`, `true`, `false`, `on`, `off`).
  func bool(_ key: String, default fallback: Bool) throws -> Bool {
    guard let value = present(key) else { return fallback }
    return try checkedBool(value, key)
  }

  /// A required yes/no value.
  func bool(_ key: String) throws -> Bool {
    try checkedBool(required(key), key)
  }

  private func checkedBool(_ value: Any, _ key: String) throws -> Bool {
    if let flag = value as? Bool { return flag }
    if let text = value as? String {
      switch text.lowercased() {
      case "yes", "true", "on", "1": return true
      case "no", "false", "off", "0": return false
      default: break
      }
    }
    throw error(key, "expected yes or no, found '\(value)'")
  }

  /// A required list of scalars.
  func stringList(_ key: String) throws -> [String] {
    guard let list = try required(key) as? [Any] else { throw error(key, "expected a list") }
    return try list.enumerated().map { index, item in try describe(item, "\(key)[\(index)]") }
  }

  /// An optional list of mappings.
  func sections(_ key: String) throws -> [ConfigurationReader] {
    guard let value = present(key) else { return [] }
    guard let list = value as? [Any] else { throw error(key, "expected a list") }
    return try list.enumerated().map { index, item in
      guard let mapping = item as? [String: Any] else { throw error("\(key)[\(index)]", "expected a mapping") }
      return ConfigurationReader(file: file, path: keyPath("\(key)[\(index)]"), node: mapping)
    }
  }

  /// A required value from a fixed set.
  func choice<Value: RawRepresentable & CaseIterable>(_ key: String, default fallback: Value? = nil) throws -> Value
  where Value.RawValue == String {
    let text: String
    if let fallback, present(key) == nil { return fallback }
    text = try string(key)
    guard let value = Value(rawValue: text) else {
      let allowed = Value.allCases.map(\.rawValue).joined(separator: ", ")
      throw error(key, "expected one of \(allowed), found '\(text)'")
    }
    return value
  }

  /// A required IPv4 address.
  func address(_ key: String) throws -> IPv4Address {
    let text = try string(key)
    guard let address = IPv4Address(text) else { throw error(key, "'\(text)' is not an IPv4 address") }
    return address
  }
}
