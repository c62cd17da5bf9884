public import Foundation

/// The cluster-wide operations, implemented once per way of reaching a cluster:
/// directly over ZooKeeper (on a node) or through pvcapi's HTTP API.
public protocol ClusterOperations: Sendable {
  /// Creates the base layout. Refuses if the cluster holds data, unless `overwrite`.
  func initialize(overwrite: Bool) async throws
  /// The cluster's current state.
  func status() async throws -> ClusterStatus
  /// Turns maintenance mode on or off; returns `false` if it already was so.
  func setMaintenance(_ enabled: Bool) async throws -> Bool
  /// The whole cluster tree, in upstream's backup format.
  func backup() async throws -> ClusterBackup
  /// Makes the cluster tree equal to a backup of the same schema version.
  func restore(_ backup: ClusterBackup) async throws
  /// The newest `count` entries of the audit log (state-changing calls through the API), oldest first.
  func audit(last count: Int) async throws -> [AuditEntry]
  /// Ends the connection.
  func close() async
}

/// How to reach a cluster.
public enum ClusterConnection: Sendable, Hashable {
  /// Directly through its ZooKeeper ensemble (`host:port,host:port[/chroot]`),
  /// as the node daemons and the CLI on a node do. `connectTimeout` bounds the
  /// wait for the first connection; `credentials` are the members' identity when
  /// the cluster uses ZooKeeper ACLs (`database.zookeeper.auth`).
  case zookeeper(
    hosts: String, sessionTimeout: Duration = .seconds(10), connectTimeout: Duration = .seconds(15),
    credentials: ZooKeeperCredentials? = nil)
  /// Through a PVC HTTP API (PVCKit's pvcapi or upstream's pvcapid) at `url`
  /// (`http://host:7370`), with an API key if it wants one. `timeout` bounds
  /// each request's wait for an answer to start.
  case api(url: URL, key: String?, timeout: Duration = .seconds(30))
}

extension ClusterConnection {
  /// A connection from an address: an `http://` or `https://` URL is a PVC
  /// API (with `key`), anything else a ZooKeeper connect string.
  public static func from(address: String, key: String? = nil) -> ClusterConnection {
    if address.hasPrefix("http://") || address.hasPrefix("https://"), let url = URL(string: address) {
      return .api(url: url, key: key)
    }
    return .zookeeper(hosts: address)
  }

  /// The connection named by the environment: `PVC_API_URL` (with `PVC_API_KEY`), else `PVC_ZOOKEEPER`.
  public static var fromEnvironment: ClusterConnection? {
    let environment = ProcessInfo.processInfo.environment
    if let url = environment["PVC_API_URL"], !url.isEmpty {
      return from(address: url, key: environment["PVC_API_KEY"])
    }
    return environment["PVC_ZOOKEEPER"].flatMap { $0.isEmpty ? nil : .zookeeper(hosts: $0) }
  }
}
