import CZooKeeper

/// The metadata ZooKeeper keeps for a node.
public struct ZNodeStat: Sendable, Hashable {
  /// The transaction that created the node.
  public var czxid: Int64
  /// The transaction that last modified the node's data.
  public var mzxid: Int64
  /// The transaction that last changed the node's children.
  public var pzxid: Int64
  /// Creation time, milliseconds since the epoch.
  public var ctime: Int64
  /// Last modification time, milliseconds since the epoch.
  public var mtime: Int64
  /// The number of changes to the node's data; pass it to a versioned write.
  public var version: Int32
  /// The number of changes to the node's children.
  public var cversion: Int32
  /// The session owning the node if it is ephemeral, otherwise 0.
  public var ephemeralOwner: Int64
  /// The length of the node's data in bytes.
  public var dataLength: Int32
  /// The number of children.
  public var numChildren: Int32

  init(
    czxid: Int64, mzxid: Int64, ctime: Int64, mtime: Int64, version: Int32, cversion: Int32, aversion: Int32,
    ephemeralOwner: Int64, dataLength: Int32, numChildren: Int32, pzxid: Int64
  ) {
    self.czxid = czxid
    self.mzxid = mzxid
    self.pzxid = pzxid
    self.ctime = ctime
    self.mtime = mtime
    self.version = version
    self.cversion = cversion
    self.ephemeralOwner = ephemeralOwner
    self.dataLength = dataLength
    self.numChildren = numChildren
  }

  init(_ s: Stat) {
    czxid = s.czxid
    mzxid = s.mzxid
    pzxid = s.pzxid
    ctime = s.ctime
    mtime = s.mtime
    version = s.version
    cversion = s.cversion
    ephemeralOwner = s.ephemeralOwner
    dataLength = s.dataLength
    numChildren = s.numChildren
  }
}

/// A node's data with its metadata, as read at one moment.
public struct ZNodeData: Sendable, Hashable {
  /// The raw bytes.
  public var bytes: [UInt8]
  /// The node's metadata when it was read.
  public var stat: ZNodeStat

  /// The data decoded as UTF-8 (invalid sequences are replaced).
  public var string: String { String(decoding: bytes, as: UTF8.self) }
}

/// A node's children with the parent's metadata.
public struct ZNodeChildren: Sendable, Hashable {
  /// The child names (not full paths), in the server's order.
  public var names: [String]
  /// The parent's metadata when it was read.
  public var stat: ZNodeStat
}

/// How a node is created.
public enum CreateMode: Sendable, Hashable {
  /// Stays until deleted.
  case persistent
  /// Stays until deleted; the server appends a 10-digit sequence number to the name.
  case persistentSequential
  /// Deleted by the server when the session that created it ends.
  ///
  /// ``ZooKeeper`` re-creates such nodes after it replaces an expired session,
  /// unless they were created with `restoreOnExpiry: false`.
  case ephemeral
  /// Ephemeral, with a sequence number appended. Never restored after expiry:
  /// the sequence number (a place in a queue) cannot be kept.
  case ephemeralSequential

  var flags: Int32 {
    switch self {
    case .persistent: ZOO_PERSISTENT
    case .persistentSequential: ZOO_PERSISTENT_SEQUENTIAL
    case .ephemeral: ZOO_EPHEMERAL
    case .ephemeralSequential: ZOO_EPHEMERAL_SEQUENTIAL
    }
  }

  var isEphemeral: Bool { self == .ephemeral || self == .ephemeralSequential }
}
