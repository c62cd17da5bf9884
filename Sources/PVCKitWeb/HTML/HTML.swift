import Foundation

/// A piece of HTML. Text interpolated into it is escaped; other `HTML` is
/// inserted as it is. So `"<td>\(vm.name)</td>" as HTML` can never inject
/// markup, whatever the VM is called.
public struct HTML: Sendable, Hashable, ExpressibleByStringInterpolation, CustomStringConvertible {
  /// The markup.
  public private(set) var markup: String

  public init(stringLiteral value: String) { markup = value }
  public init(stringInterpolation: Interpolation) { markup = stringInterpolation.markup }
  /// Markup written by this program (never user data).
  public init(trusted markup: String) { self.markup = markup }

  public var description: String { markup }

  /// Builds HTML from literal markup and escaped values.
  public struct Interpolation: StringInterpolationProtocol {
    var markup = ""
    public init(literalCapacity: Int, interpolationCount: Int) { markup.reserveCapacity(literalCapacity * 2) }
    public mutating func appendLiteral(_ literal: String) { markup += literal }
    /// Text: escaped.
    public mutating func appendInterpolation(_ text: String) { markup += HTML.escape(text) }
    /// A number.
    public mutating func appendInterpolation<Number: Numeric>(_ number: Number) { markup += HTML.escape("\(number)") }
    /// Markup: inserted as it is.
    public mutating func appendInterpolation(_ html: HTML) { markup += html.markup }
    /// Several pieces of markup.
    public mutating func appendInterpolation(_ parts: [HTML]) { for part in parts { markup += part.markup } }
  }

  /// Escapes text for element content and quoted attribute values.
  public static func escape(_ text: String) -> String {
    var escaped = ""
    escaped.reserveCapacity(text.utf8.count)
    for character in text.unicodeScalars {
      switch character {
      case "&": escaped += "&amp;"
      case "<": escaped += "&lt;"
      case ">": escaped += "&gt;"
      case "\"": escaped += "&quot;"
      case "'": escaped += "&#39;"
      default:
        // Control characters (other than tab and newline) are not shown.
        if character.value < 0x20 && character != "\n" && character != "\t" {
          escaped += "\u{FFFD}"
        } else {
          escaped.unicodeScalars.append(character)
        }
      }
    }
    return escaped
  }

  /// Escapes text for a URL path segment or query value, then for HTML.
  public static func urlComponent(_ text: String) -> HTML {
    var allowed = CharacterSet.alphanumerics
    allowed.insert(charactersIn: "-._~")
    return HTML(trusted: escape(text.addingPercentEncoding(withAllowedCharacters: allowed) ?? ""))
  }
}
