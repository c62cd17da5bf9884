/// One step of an atomic ``ZooKeeper/multi(_:)`` transaction.
public enum ZooKeeperOperation: Sendable, Hashable {
  /// Create a node with data.
  case create(path: String, data: [UInt8], mode: CreateMode = .persistent)
  /// Replace a node's data, optionally only if its version matches.
  case setData(path: String, data: [UInt8], version: Int32? = nil)
  /// Delete a node (it must have no children), optionally only if its version matches.
  case delete(path: String, version: Int32? = nil)
  /// Fail the transaction unless the node exists with this version.
  case check(path: String, version: Int32)

  /// Create a node whose data is a UTF-8 string.
  public static func create(_ path: String, _ value: String, mode: CreateMode = .persistent) -> Self {
    .create(path: path, data: Array(value.utf8), mode: mode)
  }

  /// Set a node's data to a UTF-8 string.
  public static func set(_ path: String, _ value: String, version: Int32? = nil) -> Self {
    .setData(path: path, data: Array(value.utf8), version: version)
  }

  /// The path the operation acts on.
  public var path: String {
    switch self {
    case .create(let path, _, _), .setData(let path, _, _), .delete(let path, _), .check(let path, _): path
    }
  }

  var name: String {
    switch self {
    case .create: "create"
    case .setData: "set"
    case .delete: "delete"
    case .check: "check"
    }
  }
}

/// The outcome of one step of a successful ``ZooKeeper/multi(_:)``.
public enum ZooKeeperOperationResult: Sendable, Hashable {
  /// The node was created at this path (with its sequence number, if any).
  case created(path: String)
  /// The data was set; the node now has this metadata.
  case set(ZNodeStat)
  /// The node was deleted.
  case deleted
  /// The check passed.
  case checked
}
