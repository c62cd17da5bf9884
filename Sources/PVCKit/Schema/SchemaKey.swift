/// How one key of the cluster layout is named and where it lives.
public struct KeySpec: Sendable, Hashable {
  /// Upstream's logical name, e.g. `state.daemon` (as in its `N.json` schema files).
  public var name: String
  /// The path relative to the object's node, e.g. `/daemonstate` (`""` for the object's own node).
  public var path: String
  /// The schema version that introduced the key.
  public var since: Int
  /// The schema version that removed the key, if any.
  public var removedIn: Int?
  /// The value written when the key is missing.
  public var defaultValue: String
  /// What a usable value looks like.
  public var kind: ValueKind

  init(
    _ name: String, _ path: String, since: Int = 0, removedIn: Int? = nil, default defaultValue: String = "",
    kind: ValueKind = .text
  ) {
    self.name = name
    self.path = path
    self.since = since
    self.removedIn = removedIn
    self.defaultValue = defaultValue
    self.kind = kind
  }

  /// Whether the key exists in schema `version`.
  public func exists(in version: Int) -> Bool {
    since <= version && (removedIn.map { version < $0 } ?? true)
  }
}

/// The keys of one kind of object in the cluster layout (a node, a VM...).
///
/// Each conforming enum lists its kind's keys once, with their upstream
/// names, paths and versions; everything else (paths, defaults, validation,
/// migrations) is derived from that list.
public protocol SchemaKey: CaseIterable, Hashable, Sendable {
  /// The kind of object these keys belong to.
  static var element: SchemaElement { get }
  /// The key's definition.
  var spec: KeySpec { get }
}

extension SchemaKey {
  /// Every key of this kind in schema `version`.
  public static func specs(in version: Int) -> [KeySpec] {
    allCases.map(\.spec).filter { $0.exists(in: version) }
  }
}
