public import Foundation

/// Upstream's JSON: snake_case keys from Swift's camelCase names (`lastNode` is
/// `last_node`), keys sorted, slashes unescaped. PVCKit's model types are
/// `Codable` with Swift names; these coders give them upstream's names, which
/// is how the API, the CLI's JSON output, PVCKit's HTTP client and the records
/// PVCKit stores in ZooKeeper all write and read them. Dictionary keys (node
/// names, tags, states) are left as they are. Explicit `null`s, where upstream
/// sends them, come from the types' own `encode(to:)`.
///
/// ```swift
/// let vm = try UpstreamJSON.decoder.decode(VMInfo.self, from: data)
/// ```
public enum UpstreamJSON {
  /// An encoder of upstream's JSON (compact, or indented for people).
  public static func encoder(pretty: Bool = false) -> JSONEncoder {
    let encoder = JSONEncoder()
    encoder.keyEncodingStrategy = .convertToSnakeCase
    encoder.outputFormatting =
      pretty ? [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
    return encoder
  }

  /// A decoder of upstream's JSON.
  public static var decoder: JSONDecoder {
    let decoder = JSONDecoder()
    decoder.keyDecodingStrategy = .convertFromSnakeCase
    return decoder
  }

  /// Encodes a value compactly.
  public static func encode(_ value: some Encodable) throws -> Data { try encoder().encode(value) }

  /// Decodes a value.
  public static func decode<T: Decodable>(_ type: T.Type, from data: Data) throws -> T {
    try decoder.decode(type, from: data)
  }
}
