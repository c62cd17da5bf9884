import Foundation
import PVCKit

/// Upstream's API contract (`Fixtures/upstream-api-contract.json`: its
/// operations, and the property types of the definitions PVCKit serves).
struct UpstreamContract: Decodable {
  var operations: Set<String>
  var definitions: [String: [String: String]]

  static func load() throws -> UpstreamContract {
    let file = TestServices.root.appendingPathComponent("Tests/PVCKitTests/Fixtures/upstream-api-contract.json")
    return try JSONDecoder().decode(UpstreamContract.self, from: Data(contentsOf: file))
  }

  /// Whether upstream has this operation (`path` in OpenAPI form, below `/api/v1`).
  func has(_ method: String, _ path: String) -> Bool {
    operations.contains("\(method) \(path)")
  }

  /// The properties upstream sends as `null` when unset (daemon-common's getInformationFromXML
  /// and friends); `null` anywhere else is a difference.
  static let nullable: [String: Set<String>] = [
    "vm": ["node_limit", "node_selector", "migration_method"],
    "VMMetadata": ["node_limit", "node_selector", "migration_method"],
  ]

  /// What in `object` disagrees with the definition: missing properties and wrong types
  /// (`null` only where upstream sends it, ``nullable``).
  func problems(_ object: JSONValue, against definition: String, except allowed: Set<String> = []) -> [String] {
    guard let properties = definitions[definition] else { return ["no definition \(definition)"] }
    guard case .object(let fields) = object else { return ["\(definition): not an object"] }
    var problems: [String] = []
    for (name, type) in properties.sorted(by: { $0.key < $1.key }) where !allowed.contains(name) {
      guard let value = fields[name] else {
        problems.append("\(definition).\(name) is missing")
        continue
      }
      if value == .null {
        if !(Self.nullable[definition]?.contains(name) ?? false) {
          problems.append("\(definition).\(name) is null, which upstream never sends")
        }
      } else if !value.matches(type) {
        problems.append("\(definition).\(name) should be \(type), is \(value)")
      }
    }
    return problems
  }
}

extension JSONValue {
  static func parse(_ data: Data) throws -> JSONValue { try JSONDecoder().decode(JSONValue.self, from: data) }

  /// Whether the value has a swagger type.
  func matches(_ type: String) -> Bool {
    switch (self, type) {
    case (.bool, "boolean"), (.integer, "integer"), (.integer, "number"), (.number, "number"),
      (.string, "string"), (.array, "array"), (.object, "object"):
      true
    default: false
    }
  }

  /// The elements of an array (or the value itself).
  var elements: [JSONValue] {
    if case .array(let values) = self { return values }
    return [self]
  }
}
