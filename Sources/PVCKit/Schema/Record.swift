import Foundation

/// The values of some keys of one object, read together.
public struct Record<Key: SchemaKey>: Sendable {
  /// The object's node path.
  public let basePath: String
  /// The values read, by key; a key whose node is missing is absent.
  public let values: [Key: String]

  /// The value of `key`, or `nil` when its node is missing.
  public subscript(key: Key) -> String? { values[key] }

  /// The value of `key`, or its schema default when its node is missing.
  public func value(_ key: Key) -> String { values[key] ?? key.spec.defaultValue }

  /// The value of `key` as an integer, or `nil` if missing, not a number, or
  /// beyond ±``CheckedNumbers/maximumMagnitude`` (so sums of them cannot overflow).
  public func int(_ key: Key) -> Int? { values[key].flatMap { Int(bounded: $0) } }

  /// The value of `key` as a non-negative count (memory, vCPUs, VMs), or `nil`
  /// if missing, not a number, negative or out of bounds.
  public func count(_ key: Key) -> Int? { int(key).flatMap { $0 >= 0 ? $0 : nil } }

  /// The value of `key` as a finite floating-point number, or `nil` if missing,
  /// not a number, infinite, NaN or out of bounds.
  public func double(_ key: Key) -> Double? { values[key].flatMap { Double(bounded: $0) } }
}
