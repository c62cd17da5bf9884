import CZooKeeper

/// An error from a ZooKeeper operation, naming the operation, the path and the reason.
///
/// Every failing call of ``ZooKeeper`` throws this type. Switch on ``code`` to
/// handle the expected cases (``Code/noNode``, ``Code/nodeExists``,
/// ``Code/badVersion``...); use ``description`` for a message a person can act on.
public struct ZooKeeperError: Error, Sendable, Hashable, CustomStringConvertible {
  /// Why an operation failed.
  public enum Code: Sendable, Hashable {
    /// The node does not exist.
    case noNode
    /// The node already exists.
    case nodeExists
    /// The expected version did not match the node's version (someone else wrote first).
    case badVersion
    /// The node has children and cannot be deleted.
    case notEmpty
    /// Ephemeral nodes cannot have children.
    case noChildrenForEphemerals
    /// The connection to the server was lost; a write may or may not have been applied.
    case connectionLoss
    /// The session expired; ephemeral nodes and watches of that session are gone.
    case sessionExpired
    /// The server did not answer in time.
    case operationTimeout
    /// The arguments were invalid (for example a malformed path).
    case badArguments
    /// The client is closed or closing.
    case closed
    /// No connection could be established within the allowed time.
    case notConnected
    /// The client is not authorised for this node.
    case noAuth
    /// Any other ZooKeeper return code.
    case other(Int32)

    init(returnCode rc: Int32) {
      switch rc {
      case ZNONODE.rawValue: self = .noNode
      case ZNODEEXISTS.rawValue: self = .nodeExists
      case ZBADVERSION.rawValue: self = .badVersion
      case ZNOTEMPTY.rawValue: self = .notEmpty
      case ZNOCHILDRENFOREPHEMERALS.rawValue: self = .noChildrenForEphemerals
      case ZCONNECTIONLOSS.rawValue: self = .connectionLoss
      case ZSESSIONEXPIRED.rawValue, ZINVALIDSTATE.rawValue: self = .sessionExpired
      case ZOPERATIONTIMEOUT.rawValue: self = .operationTimeout
      case ZBADARGUMENTS.rawValue: self = .badArguments
      case ZCLOSING.rawValue: self = .closed
      case ZNOAUTH.rawValue, ZAUTHFAILED.rawValue: self = .noAuth
      default: self = .other(rc)
      }
    }

    /// A short explanation for people.
    public var explanation: String {
      switch self {
      case .noNode: "no such node"
      case .nodeExists: "node already exists"
      case .badVersion: "version conflict (the node was changed by someone else)"
      case .notEmpty: "node has children"
      case .noChildrenForEphemerals: "ephemeral nodes cannot have children"
      case .connectionLoss: "connection to ZooKeeper lost"
      case .sessionExpired: "ZooKeeper session expired"
      case .operationTimeout: "ZooKeeper did not answer in time"
      case .badArguments: "invalid arguments"
      case .closed: "client is closed"
      case .notConnected: "could not connect to ZooKeeper"
      case .noAuth: "not authorised"
      case .other(let rc): "ZooKeeper error \(rc) (\(String(cString: zerror(rc))))"
      }
    }

    /// Whether a read that failed this way may simply be retried.
    var isRetryableForReads: Bool {
      switch self {
      case .connectionLoss, .operationTimeout, .sessionExpired: true
      default: false
      }
    }
  }

  /// Why the operation failed.
  public var code: Code
  /// The operation, such as `get`, `create` or `multi`.
  public var operation: String
  /// The path the operation acted on, if any.
  public var path: String?

  /// Creates an error for `operation` on `path`.
  public init(_ code: Code, operation: String, path: String? = nil) {
    self.code = code
    self.operation = operation
    self.path = path
  }

  init(returnCode rc: Int32, operation: String, path: String?) {
    self.init(Code(returnCode: rc), operation: operation, path: path)
  }

  public var description: String {
    if let path {
      "ZooKeeper \(operation) \(path): \(code.explanation)"
    } else {
      "ZooKeeper \(operation): \(code.explanation)"
    }
  }
}
