public import Foundation

/// Upstream's JSON as PVCKit writes and reads it everywhere (the API's answers,
/// `pvc -f json`, PVCKit's HTTP client, the JSON records PVCKit keeps in
/// ZooKeeper): keys sorted, slashes unescaped. The model types spell upstream's
/// snake_case keys in their `CodingKeys`; a key strategy
/// (`convertFromSnakeCase`) would spare those enums but made decoding 1,000 VMs
/// 3.3 times slower (140 ms against 42 ms, every key converted on every read),
/// which `pvc vm list` through the API pays on every run.
///
/// ```swift
/// let vm = try UpstreamJSON.decoder.decode(VMInfo.self, from: data)
/// ```
public enum UpstreamJSON {
  /// An encoder of upstream's JSON (compact, or indented for people).
  public static func encoder(pretty: Bool = false) -> JSONEncoder {
    let encoder = JSONEncoder()
    encoder.outputFormatting =
      pretty ? [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
    return encoder
  }

  /// A decoder of upstream's JSON.
  public static var decoder: JSONDecoder { JSONDecoder() }

  /// Encodes a value compactly.
  public static func encode(_ value: some Encodable) throws -> Data { try encoder().encode(value) }

  /// Decodes a value.
  public static func decode<T: Decodable>(_ type: T.Type, from data: Data) throws -> T {
    try decoder.decode(type, from: data)
  }
}
