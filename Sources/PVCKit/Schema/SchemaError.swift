/// An error about the cluster layout: a bad object name or a schema version problem.
public struct SchemaError: Error, Sendable, Hashable, CustomStringConvertible {
  /// A human-readable explanation naming the offending value.
  public var message: String

  /// Creates an error with a message.
  public init(_ message: String) { self.message = message }

  public var description: String { message }

  static func invalidName(_ name: String, kind: String) -> SchemaError {
    let shown = name.unicodeScalars.map { $0.properties.generalCategory == .control ? "?" : String($0) }.joined()
    return SchemaError(
      "invalid \(kind) name '\(shown)': names must be 1 to 255 characters, without '/', control characters, or a leading '.'"
    )
  }
}
