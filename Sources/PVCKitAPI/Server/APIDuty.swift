public import PVCKit
import Synchronization

/// The API server as a primary duty: `pvcd` on the primary coordinator serves
/// the API (as upstream runs pvcapid there), and stops serving when it gives
/// the role up.
public final class APIDuty: PrimaryDuty {
  public let name = "HTTP API"
  private let hosts: String
  private let settings: APIServer.Settings
  private let running = Mutex<(server: RunningServer, cluster: PVCCluster)?>(nil)

  /// Creates the duty for a cluster's ZooKeeper and the `api` settings.
  public init(zookeeperHosts: String, settings: APIServer.Settings) {
    hosts = zookeeperHosts
    self.settings = settings
  }

  /// Connects, starts listening, and returns once the server accepts connections.
  public func start() async throws {
    await stop()
    let cluster = try await PVCCluster.connect(.zookeeper(hosts: hosts))
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
