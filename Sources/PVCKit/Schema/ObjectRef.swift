/// A reference to one object of the cluster layout: its node path and the kind
/// of keys it has. This is the only way PVCKit forms ZooKeeper paths.
///
/// ```swift
/// let node = try Layout.node("hv1")
/// node.path(.daemonState)   // "/nodes/hv1/daemonstate"
/// ```
public struct ObjectRef<Key: SchemaKey>: Sendable, Hashable {
  /// The object's own node, e.g. `/nodes/hv1`.
  public let basePath: String

  init(basePath: String) { self.basePath = basePath }

  /// The path of one of the object's keys.
  public func path(_ key: Key) -> String { basePath + key.spec.path }

  /// The paths of every key of the object in schema `version`, the object's node first.
  public func paths(in version: Int = Layout.currentVersion) -> [String] {
    Key.specs(in: version).map { basePath + $0.path }
  }

  /// The last component of the object's path: its name, UUID, VNI or id.
  public var name: String { String(basePath.split(separator: "/").last ?? "") }
}

/// Checks a name used as one component of a ZooKeeper path.
///
/// Rejects what would escape its place in the tree or corrupt it: empty names,
/// `/`, names starting with `.` (`.`, `..`), control characters (including NUL),
/// and names over 255 UTF-8 bytes.
func validatedComponent(_ name: String, kind: String) throws -> String {
  let utf8 = name.utf8
  // Control characters: C0 and DEL in one pass over the bytes; C1 (U+0080-U+009F) only in non-ASCII names.
  let valid =
    !utf8.isEmpty && utf8.count <= 255 && utf8.first != UInt8(ascii: ".")
    && !utf8.contains { $0 < 0x20 || $0 == 0x7F || $0 == UInt8(ascii: "/") }
    && (utf8.allSatisfy { $0 < 0x80 } || !name.unicodeScalars.contains { $0.properties.generalCategory == .control })
  guard valid else { throw SchemaError.invalidName(name, kind: kind) }
  return name
}
