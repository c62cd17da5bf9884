/// The differences between two versions of one element's keys, matched by
/// logical name: what a migration creates, deletes and moves.
public struct KeyDiff: Sendable, Hashable {
  /// A key whose path changed between the versions.
  public struct Move: Sendable, Hashable {
    /// The key's logical name.
    public var name: String
    /// The old relative path.
    public var from: String
    /// The new relative path.
    public var to: String

    /// Creates a move of key `name` from one relative path to another.
    public init(name: String, from: String, to: String) {
      self.name = name
      self.from = from
      self.to = to
    }
  }

  /// Keys only in the newer version: created with their default.
  public var added: [KeySpec]
  /// Keys only in the older version: deleted with everything under them.
  public var removed: [KeySpec]
  /// Keys in both versions at different paths: their subtree is moved.
  public var moved: [Move]

  /// Whether the versions have the same keys at the same paths.
  public var isEmpty: Bool { added.isEmpty && removed.isEmpty && moved.isEmpty }

  /// Compares two key lists.
  public static func between(_ old: [KeySpec], _ new: [KeySpec]) -> KeyDiff {
    let oldByName = Dictionary(old.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
    let newByName = Dictionary(new.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
    return KeyDiff(
      added: new.filter { oldByName[$0.name] == nil },
      removed: old.filter { newByName[$0.name] == nil },
      moved: new.compactMap { key in
        guard let before = oldByName[key.name], before.path != key.path else { return nil }
        return Move(name: key.name, from: before.path, to: key.path)
      }
    )
  }

  /// The per-element differences between schema versions `old` and `new`.
  public static func between(version old: Int, and new: Int) -> [SchemaElement: KeyDiff] {
    var diffs: [SchemaElement: KeyDiff] = [:]
    for element in SchemaElement.allCases {
      let diff = between(element.specs(in: old), element.specs(in: new))
      if !diff.isEmpty { diffs[element] = diff }
    }
    return diffs
  }
}
