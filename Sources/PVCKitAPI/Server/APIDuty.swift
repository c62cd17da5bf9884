public import PVCKit
import PVCKitServer
import Synchronization

/// The API server as a primary duty: `pvcd` on the primary coordinator serves
/// the API (as upstream runs pvcapid there), and stops serving when it gives
/// the role up.
public final class APIDuty: PrimaryDuty {
  public let name = "HTTP API"
  private let connection: ClusterConnection
  private let policy: DomainPolicy
  private let ceph: CephAccess?
  private let database: MariaDBConnection.Settings?
  private let provisionerDatabase: MariaDBConnection.Settings?
  private let libvirt: NodeLibvirtAccess?
  private let settings: APIServer.Settings
  private let running = Mutex<(server: RunningServer, cluster: PVCCluster)?>(nil)

  /// Creates the duty for a cluster's ZooKeeper connection and the `api` settings; storage and DNS changes
  /// reach Ceph and the DNS database through `ceph` and `database`, consoles the nodes' libvirt through `libvirt`.
  public init(
    connection: ClusterConnection, policy: DomainPolicy = .strict, ceph: CephAccess? = nil,
    database: MariaDBConnection.Settings? = nil, provisionerDatabase: MariaDBConnection.Settings? = nil,
    libvirt: NodeLibvirtAccess? = nil, settings: APIServer.Settings
  ) {
    self.libvirt = libvirt
    self.connection = connection
    self.policy = policy
    self.ceph = ceph
    self.database = database
    self.provisionerDatabase = provisionerDatabase
    self.settings = settings
  }

  /// Connects, starts listening, and returns once the server accepts connections.
  public func start() async throws {
    await stop()
    // Every coordinator would generate its own token: the primary's API needs one configured.
    if settings.authenticationEnabled && settings.hasNoTokens {
      throw ServerError.notStarted(
        "authentication is on but pvc.conf has no api.token; add the same token on every coordinator")
    }
    let cluster = try await PVCCluster.connect(
      connection, policy: policy, ceph: ceph, database: database, provisionerDatabase: provisionerDatabase,
      libvirt: libvirt)
    do {
      let server = try await APIServer(cluster: cluster, settings: settings).start()
      running.withLock { $0 = (server, cluster) }
    } catch {
      await cluster.close()
      throw error
    }
  }

  /// Stops serving (requests in progress are finished) and disconnects.
  public func stop() async {
    guard
      let (server, cluster) = running.withLock({ current in
        defer { current = nil }
        return current
      })
    else { return }
    await server.stop()
    await cluster.close()
  }
}
