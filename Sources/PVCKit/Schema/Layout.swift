/// The cluster's ZooKeeper layout, compatible with upstream PVC schema v15.
///
/// Every path PVCKit reads or writes comes from here. Object names given by
/// users are checked (see ``SchemaError``) before they become path components.
public enum Layout {
  /// The schema version this library writes and expects.
  public static let currentVersion = 15

  /// The cluster-wide keys.
  public static let base = ObjectRef<BaseKey>(basePath: "")

  /// A node, by host name.
  public static func node(_ name: String) throws -> ObjectRef<NodeKey> {
    ObjectRef(basePath: base.path(.nodes) + "/" + (try validatedComponent(name, kind: "node")))
  }

  /// A node's log.
  public static func log(_ node: String) throws -> ObjectRef<LogKey> {
    ObjectRef(basePath: base.path(.logs) + "/" + (try validatedComponent(node, kind: "node")))
  }

  /// A health plugin's result on a node.
  public static func monitoringPlugin(_ plugin: String, node: String) throws -> ObjectRef<MonitoringPluginKey> {
    ObjectRef(basePath: try Self.node(node).path(.monitoringData) + "/" + validatedComponent(plugin, kind: "plugin"))
  }

  /// An SR-IOV physical function on a node.
  public static func sriovPF(_ device: String, node: String) throws -> ObjectRef<SRIOVPhysicalKey> {
    ObjectRef(basePath: try Self.node(node).path(.sriovPF) + "/" + validatedComponent(device, kind: "PF"))
  }

  /// An SR-IOV virtual function on a node.
  public static func sriovVF(_ device: String, node: String) throws -> ObjectRef<SRIOVVirtualKey> {
    ObjectRef(basePath: try Self.node(node).path(.sriovVF) + "/" + validatedComponent(device, kind: "VF"))
  }

  /// A cluster fault, by id.
  public static func fault(_ id: String) throws -> ObjectRef<FaultKey> {
    ObjectRef(basePath: base.path(.faults) + "/" + (try validatedComponent(id, kind: "fault")))
  }

  /// A VM, by UUID.
  public static func domain(_ uuid: String) throws -> ObjectRef<DomainKey> {
    ObjectRef(basePath: base.path(.domains) + "/" + (try validatedComponent(uuid, kind: "VM UUID")))
  }

  /// A tag of a VM.
  public static func tag(_ tag: String, domain uuid: String) throws -> ObjectRef<TagKey> {
    ObjectRef(basePath: try domain(uuid).path(.tags) + "/" + validatedComponent(tag, kind: "tag"))
  }

  /// A whole-VM snapshot.
  public static func domainSnapshot(_ name: String, domain uuid: String) throws -> ObjectRef<DomainSnapshotKey> {
    ObjectRef(basePath: try domain(uuid).path(.snapshots) + "/" + validatedComponent(name, kind: "snapshot"))
  }

  /// A client network, by VNI.
  public static func network(_ vni: String) throws -> ObjectRef<NetworkKey> {
    ObjectRef(basePath: base.path(.networks) + "/" + (try validatedComponent(vni, kind: "network")))
  }

  /// A static DHCP reservation in a network.
  public static func reservation(_ mac: String, network vni: String) throws -> ObjectRef<ReservationKey> {
    ObjectRef(basePath: try network(vni).path(.reservations) + "/" + validatedComponent(mac, kind: "MAC"))
  }

  /// A DHCP lease in a network.
  public static func lease(_ mac: String, network vni: String) throws -> ObjectRef<LeaseKey> {
    ObjectRef(basePath: try network(vni).path(.leases) + "/" + validatedComponent(mac, kind: "MAC"))
  }

  /// Which way a firewall rule applies.
  public enum RuleDirection: String, Sendable, CaseIterable {
    case inbound = "in"
    case outbound = "out"
  }

  /// A firewall rule in a network.
  public static func rule(_ description: String, direction: RuleDirection, network vni: String) throws
    -> ObjectRef<RuleKey>
  {
    let parent = try network(vni).path(direction == .inbound ? .rulesIn : .rulesOut)
    return ObjectRef(basePath: parent + "/" + (try validatedComponent(description, kind: "rule")))
  }

  /// A Ceph OSD, by id.
  public static func osd(_ id: String) throws -> ObjectRef<OSDKey> {
    ObjectRef(basePath: base.path(.osds) + "/" + (try validatedComponent(id, kind: "OSD")))
  }

  /// A Ceph pool.
  public static func pool(_ name: String) throws -> ObjectRef<PoolKey> {
    ObjectRef(basePath: base.path(.pools) + "/" + (try validatedComponent(name, kind: "pool")))
  }

  /// The parent of a pool's volumes.
  public static func volumes(inPool pool: String) throws -> String {
    base.path(.volumes) + "/" + (try validatedComponent(pool, kind: "pool"))
  }

  /// An RBD volume.
  public static func volume(_ name: String, pool: String) throws -> ObjectRef<VolumeKey> {
    ObjectRef(basePath: try volumes(inPool: pool) + "/" + validatedComponent(name, kind: "volume"))
  }

  /// The parent of a pool's snapshot trees.
  public static func snapshots(inPool pool: String) throws -> String {
    base.path(.snapshots) + "/" + (try validatedComponent(pool, kind: "pool"))
  }

  /// The parent of a volume's snapshots.
  public static func snapshots(ofVolume volume: String, pool: String) throws -> String {
    try snapshots(inPool: pool) + "/" + validatedComponent(volume, kind: "volume")
  }

  /// An RBD snapshot.
  public static func snapshot(_ name: String, volume: String, pool: String) throws -> ObjectRef<SnapshotKey> {
    ObjectRef(basePath: try snapshots(ofVolume: volume, pool: pool) + "/" + validatedComponent(name, kind: "snapshot"))
  }

  /// PVCKit's own coordination nodes, outside upstream's layout: ephemeral
  /// markers that upstream daemons ignore.
  public static let coordinationRoot = "/pvckit"
  /// The ephemeral lease held by the primary coordinator's session (its data is the node's name).
  public static let primaryLease = "/pvckit/primary"
  /// The parent of the queued and finished tasks.
  public static let tasksRoot = "/pvckit/tasks"

  /// Snapshots being received from another cluster (a PVCKit extension): one node per VM and snapshot until all its
  /// disks have arrived.
  public static let receivesRoot = "/pvckit/receives"

  /// The record of a snapshot being received (`/pvckit/receives/<uuid>.<snapshot>`).
  public static func snapshotReceive(_ snapshot: String, domain uuid: String) throws -> String {
    receivesRoot + "/" + (try validatedComponent(uuid, kind: "domain")) + "."
      + (try validatedComponent(snapshot, kind: "snapshot"))
  }

  /// A task's node.
  public static func task(_ id: String) throws -> String {
    tasksRoot + "/" + (try validatedComponent(id, kind: "task"))
  }

  /// The marker asking a running task to stop (`/pvckit/tasks/<id>/cancel`; its data says who asked, when).
  public static func taskCancel(_ id: String) throws -> String {
    try task(id) + "/cancel"
  }

  /// The parent of the storage benchmarks' results (upstream keeps them in its database).
  public static let benchmarksRoot = "/pvckit/benchmarks"

  /// A storage benchmark's result, by job name.
  public static func benchmark(_ job: String) throws -> String {
    benchmarksRoot + "/" + (try validatedComponent(job, kind: "benchmark job"))
  }

  /// How many fences of each node succeeded and failed (a PVCKit extension, for `pvckit_fence_events_total`):
  /// `/pvckit/fences/<node>.<result>`, a count that only rises.
  public static let fencesRoot = "/pvckit/fences"

  /// The count of `node`'s fences that ended with `result` (`success` or `failure`).
  public static func fenceCount(_ node: String, result: String) throws -> String {
    fencesRoot + "/" + (try validatedComponent(node, kind: "node")) + "."
      + (try validatedComponent(result, kind: "result"))
  }

  /// The parent of the nodes' liveness markers.
  public static let livenessRoot = "/pvckit/alive"

  /// A node's liveness marker: an ephemeral node that exists while the node's
  /// daemon holds a ZooKeeper session.
  public static func liveness(_ node: String) throws -> String {
    livenessRoot + "/" + (try validatedComponent(node, kind: "node"))
  }

  /// Trees that are not part of the cluster data (skipped by backups, left alone by restores): ZooKeeper's and
  /// Patroni's own, and PVCKit's audit log (a restore must not rewrite the record of who did what).
  public static let foreignTrees: Set<String> = ["/zookeeper", "/patroni", auditRoot]

  /// The audit log's entries (a PVCKit extension): `/pvckit/audit/e<sequence>`, see ``AuditLog``.
  public static let auditRoot = "/pvckit/audit"
}
