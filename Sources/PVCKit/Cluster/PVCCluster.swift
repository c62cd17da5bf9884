/// A connection to a PVC cluster: the entry point of PVCKit.
///
/// ```swift
/// let cluster = try await PVCCluster.connect(.zookeeper(hosts: "127.0.0.1:2181"))
/// let status = try await cluster.status()
/// print(status.clusterHealth.health)
/// await cluster.close()
/// ```
///
/// The CLI, the API server and the web UI call exactly these methods.
/// Thread safety: all methods may be called concurrently from any task.
public final class PVCCluster: Sendable {
  /// How this cluster is reached.
  public let connection: ClusterConnection
  let operations: any ClusterOperations
  /// The VMs: define, start, migrate, list...
  public let vms: any VMOperations
  /// The client networks: managed (VXLAN) and bridged (VLAN).
  public let networks: any NetworkOperations
  /// The nodes.
  public let nodes: any NodeOperations
  /// Ceph storage: pools, RBD volumes and snapshots, OSDs.
  public let storage: any StorageOperations
  /// DNS zones and records in the cluster's database, served by PowerDNS on the primary.
  public let dns: any DNSOperations
  /// The provisioner's templates, userdata documents, scripts, OVA images and profiles.
  public let provisioner: any ProvisionerOperations
  /// The cluster's faults: list, acknowledge, delete, raise.
  public let faults: any FaultOperations
  /// Long work carried out by node daemons: queue, follow, wait.
  public let tasks: any TaskOperations
  /// The ZooKeeper client, when connected directly: an escape hatch for tools
  /// and tests. PVCKit's fronts (API, web UI, CLI) never use it.
  public let zookeeper: ZooKeeper?
  /// Where the operations find the watch-fed views once ``follow()`` made them.
  let views: ViewSlot?
  /// This program's Ceph client, when connected directly.
  let ceph: CephLink?
  /// This program's DNS database pool, when connected directly.
  let database: DNSLink?
  /// This program's provisioner database pool, when connected directly.
  let provisionerDatabase: ProvisionerLink?

  init(
    connection: ClusterConnection, operations: any ClusterOperations, vms: any VMOperations,
    networks: any NetworkOperations, nodes: any NodeOperations, storage: any StorageOperations,
    dns: any DNSOperations, provisioner: any ProvisionerOperations, faults: any FaultOperations,
    tasks: any TaskOperations, zookeeper: ZooKeeper?, views: ViewSlot? = nil, ceph: CephLink? = nil,
    database: DNSLink? = nil, provisionerDatabase: ProvisionerLink? = nil
  ) {
    self.ceph = ceph
    self.dns = dns
    self.provisioner = provisioner
    self.database = database
    self.provisionerDatabase = provisionerDatabase
    self.storage = storage
    self.views = views
    self.connection = connection
    self.operations = operations
    self.vms = vms
    self.networks = networks
    self.nodes = nodes
    self.faults = faults
    self.tasks = tasks
    self.zookeeper = zookeeper
  }

  /// Connects to a cluster.
  /// - Parameter policy: which VM definitions may enter the cluster through this
  ///   connection (define, modify, restore), when it is direct; through an API,
  ///   the server's policy applies.
  /// - Parameter ceph: how storage changes reach Ceph, when direct (listings need only ZooKeeper);
  ///   through an API, the server's Ceph access applies.
  /// - Parameter database: how DNS changes reach the cluster's database (MariaDB Galera), when direct; through
  ///   an API, the server's database applies.
  /// - Parameter provisionerDatabase: how the provisioner's objects reach the cluster's database, when direct.
  /// - Parameter libvirt: how VM consoles reach the nodes' libvirt daemons, when direct; through an API, the
  ///   server's access applies.
  /// - Throws: ``ZooKeeperError`` if the ensemble cannot be reached, ``APIClientError`` if the API cannot.
  public static func connect(
    _ connection: ClusterConnection, policy: DomainPolicy = .strict, ceph: CephAccess? = nil,
    database: MariaDBConnection.Settings? = nil, provisionerDatabase: MariaDBConnection.Settings? = nil,
    libvirt: NodeLibvirtAccess? = nil
  ) async throws
    -> PVCCluster
  {
    switch connection {
    case .zookeeper(let hosts, let sessionTimeout, let connectTimeout, let credentials):
      let zk = try await ZooKeeper.connect(
        to: hosts, sessionTimeout: sessionTimeout, connectTimeout: connectTimeout, credentials: credentials)
      let views = ViewSlot()
      let link = CephLink(ceph)
      let dns = DNSLink(database)
      let provisioner = ProvisionerLink(provisionerDatabase)
      var vms = DirectVMOperations(zookeeper: zk, policy: policy, views: views)
      vms.ceph = link
      vms.libvirt = libvirt
      let storage = DirectStorageOperations(zookeeper: zk, ceph: link, views: views)
      return PVCCluster(
        connection: connection, operations: DirectClusterOperations(zookeeper: zk, policy: policy, views: views),
        vms: vms, networks: DirectNetworkOperations(zookeeper: zk, vms: vms, views: views),
        nodes: DirectNodeOperations(zookeeper: zk, views: views),
        storage: storage, dns: DirectDNSOperations(link: dns),
        provisioner: DirectProvisionerOperations(link: provisioner, zookeeper: zk, storage: storage),
        faults: DirectFaultOperations(zookeeper: zk, views: views), tasks: DirectTaskOperations(zookeeper: zk),
        zookeeper: zk, views: views, ceph: link, database: dns, provisionerDatabase: provisioner)
    case .api(let url, let key, let timeout):
      let client = APIClient(base: url, key: key, timeout: timeout)
      // One request up front, so that an unreachable API or a wrong key fails here, clearly.
      do {
        let root = try await client.send(.root)
        guard root.status == 200 else { throw APIClientError.refused(root.status, root.message) }
        let check = try await client.send(.faultList)
        if check.status == 401 { throw APIClientError.refused(401, check.message) }
      } catch {
        client.close()
        throw error
      }
      return PVCCluster(
        connection: connection, operations: HTTPClusterOperations(client: client),
        vms: HTTPVMOperations(client: client), networks: HTTPNetworkOperations(client: client),
        nodes: HTTPNodeOperations(client: client), storage: HTTPStorageOperations(client: client),
        dns: HTTPDNSOperations(client: client), provisioner: HTTPProvisionerOperations(client: client),
        faults: HTTPFaultOperations(client: client),
        tasks: HTTPTaskOperations(client: client), zookeeper: nil)
    }
  }

  /// Creates the base layout of a new cluster (schema version 15).
  /// - Parameter overwrite: erase an existing cluster's data first. Stop every
  ///   node daemon before doing this.
  /// - Throws: ``ClusterError/alreadyInitialized`` if data exists and `overwrite` is false.
  public func initialize(overwrite: Bool = false) async throws {
    try await operations.initialize(overwrite: overwrite)
  }

  /// The cluster's current state: health, nodes, VMs, storage counts and resources.
  public func status() async throws -> ClusterStatus {
    try await operations.status()
  }

  /// The newest `count` entries of the audit log (every state-changing call through the API), oldest first.
  public func audit(last count: Int = 100) async throws -> [AuditEntry] {
    try await operations.audit(last: count)
  }

  /// Turns maintenance mode on or off. In maintenance mode nodes are not fenced
  /// and faults are not raised.
  /// - Returns: `false` if the cluster already was in that mode.
  @discardableResult
  public func setMaintenance(_ enabled: Bool) async throws -> Bool {
    try await operations.setMaintenance(enabled)
  }

  /// Saves the whole cluster tree in upstream's JSON backup format.
  public func backup() async throws -> ClusterBackup {
    try await operations.backup()
  }

  /// Replaces the cluster tree with a backup. Stop every node daemon first.
  /// - Throws: ``ClusterError/schemaMismatch(backup:cluster:)`` for a backup of
  ///   another schema version (nothing is changed then).
  public func restore(_ backup: ClusterBackup) async throws {
    try await operations.restore(backup)
  }

  /// Keeps watch-fed views of the cluster in memory from now on, for programs
  /// that run long and read often: listings, node information, the status and
  /// faults are then answered from memory (see ``ClusterView``), and still show
  /// this program's own writes at once. Does nothing over an API connection
  /// (the server keeps its own views) or when already following.
  @discardableResult
  public func follow() -> ClusterView? {
    guard let zookeeper, let views else { return nil }
    return views.follow(zookeeper)
  }

  /// The watch-fed views, when ``follow()`` was called.
  public var view: ClusterView? { views?.view }

  /// Closes the connection.
  public func close() async {
    await views?.stop()
    await ceph?.close()
    await database?.close()
    await provisionerDatabase?.close()
    await operations.close()
  }
}
