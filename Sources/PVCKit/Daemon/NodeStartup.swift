/// What a node daemon does with the cluster layout when it starts: bring the
/// schema to this PVCKit's version, fill in missing keys, and record the
/// cluster's name (upstream's startup steps 3 and 4).
public struct NodeStartup: Sendable {
  /// The client used.
  public let zookeeper: ZooKeeper
  /// The cluster's name from `pvc.conf`.
  public let clusterName: String

  /// Creates the startup steps for a node of cluster `clusterName`.
  public init(zookeeper: ZooKeeper, clusterName: String) {
    self.zookeeper = zookeeper
    self.clusterName = clusterName
  }

  /// What the startup found and changed.
  public struct Outcome: Sendable, Hashable {
    /// The schema version before startup.
    public var foundVersion: Int
    /// Keys created because they were missing.
    public var repairedKeys: [String]
    /// Whether the schema was migrated.
    public var migrated: Bool
    /// Nodes given the members' ACL (ZooKeeper ACLs on).
    public var protectedNodes = 0
  }

  /// Runs the steps.
  /// - Throws: ``ClusterError/notInitialized`` when the cluster has no layout yet,
  ///   ``ClusterError/unsupportedSchema(_:)`` when it is newer than this PVCKit.
  public func run() async throws -> Outcome {
    let schema = SchemaMaintenance(zookeeper: zookeeper)
    guard let version = try await schema.recordedVersion() else { throw ClusterError.notInitialized }
    guard version <= Layout.currentVersion else { throw ClusterError.unsupportedSchema(version) }
    var outcome = Outcome(foundVersion: version, repairedKeys: [], migrated: false)
    if version < Layout.currentVersion {
      let report = try await schema.migrate(to: Layout.currentVersion)
      outcome.migrated = true
      outcome.repairedKeys = report.created
    }
    let lock = DistributedLock(client: zookeeper, path: Layout.base.path(.schemaVersion), mode: .write)
    let zookeeper = self.zookeeper
    let (created, protected) = try await lock.withLock(timeout: .seconds(30)) {
      let created = try await schema.fillMissingKeys(in: Layout.currentVersion)
      // With ZooKeeper ACLs on, nodes written before (or by upstream's daemons) get the members' ACL.
      guard zookeeper.credentials != nil else { return (created, 0) }
      let paths = try await zookeeper.subtree("/", excluding: Layout.foreignTrees).filter { $0 != "/" }
      return (created, try await zookeeper.protect(paths))
    }
    outcome.repairedKeys += created
    outcome.protectedNodes = protected
    try await zookeeper.set(Layout.base.path(.config), clusterName)
    return outcome
  }
}
