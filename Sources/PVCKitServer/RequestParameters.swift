import Foundation

/// The parameters of a request as upstream reads them: the query string and a
/// form-encoded body together (`application/x-www-form-urlencoded`), the query
/// first. A parameter may repeat (`user_tags=a&user_tags=b`).
public struct RequestParameters: Sendable, Hashable {
  private(set) var values: [String: [String]] = [:]
  /// The names given in the query string (part of the URL, so of logs and histories).
  private(set) var inQuery: Set<String> = []

  /// Reads the query string and, if given, a form-encoded body.
  public init(query: String?, form: String? = nil) {
    for (text, isQuery) in [(query, true), (form, false)] {
      guard let text, !text.isEmpty else { continue }
      for pair in text.split(separator: "&", omittingEmptySubsequences: true) {
        let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
        let name = Self.decode(parts[0])
        guard !name.isEmpty else { continue }
        values[name, default: []].append(parts.count > 1 ? Self.decode(parts[1]) : "")
        if isQuery { inQuery.insert(name) }
      }
    }
  }

  /// Whether `name` was given in the query string.
  public func isInQuery(_ name: String) -> Bool { inQuery.contains(name) }

  /// The first value of a parameter.
  public func first(_ name: String) -> String? { values[name]?.first }

  /// Every value of a parameter, in order.
  public func all(_ name: String) -> [String] { values[name] ?? [] }

  /// Decodes one form-encoded component (`+` is a space; bad escapes are kept as they are).
  static func decode(_ text: Substring) -> String {
    let spaced = text.replacingOccurrences(of: "+", with: " ")
    return spaced.removingPercentEncoding ?? spaced
  }
}
