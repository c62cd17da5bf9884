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
  /// Ends the connection.
  func close() async
}

/// How to reach a cluster.
public enum ClusterConnection: Sendable, Hashable {
  /// Directly through its ZooKeeper ensemble (`host:port,host:port[/chroot]`),
  /// as the node daemons and the CLI on a node do. `connectTimeout` bounds the
  /// wait for the first connection.
  case zookeeper(hosts: String, sessionTimeout: Duration = .seconds(10), connectTimeout: Duration = .seconds(15))
}
