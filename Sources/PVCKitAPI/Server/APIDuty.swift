public import PVCKit
import Synchronization

/// The API server as a primary duty: `pvcd` on the primary coordinator serves
/// the API (as upstream runs pvcapid there), and stops serving when it gives
/// the role up.
public final class APIDuty: PrimaryDuty {
  public let name = "HTTP API"
  private let hosts: String
  private let settings: APIServer.Settings
  private let running = Mutex<(task: Task<Void, any Error>, cluster: PVCCluster, server: APIServer)?>(nil)

  /// Creates the duty for a cluster's ZooKeeper and the `api` settings.
  public init(zookeeperHosts: String, settings: APIServer.Settings) {
    hosts = zookeeperHosts
    self.settings = settings
  }

  /// Connects, starts listening, and returns once the server accepts connections.
  public func start() async throws {
    await stop()
    let cluster = try await PVCCluster.connect(.zookeeper(hosts: hosts))
    let server = APIServer(cluster: cluster, settings: settings)
    server.listing.start()
    let (started, signal) = AsyncStream.makeStream(of: Void.self)
    let application = try server.application { signal.yield() }
    let task = Task {
      defer { signal.finish() }
      try await application.run()
    }
    running.withLock { $0 = (task, cluster, server) }
    var iterator = started.makeAsyncIterator()
    guard await iterator.next() != nil else {
      // The server ended before it was running: say why.
      let failure: (any Error)? = await { () async -> (any Error)? in
        do { try await task.value } catch { return error }
        return nil
      }()
      await stop()
      throw PrimaryDutyError.failed("the API server did not start: \(failure.map { "\($0)" } ?? "it ended")")
    }
  }

  /// Stops serving (requests in progress are finished) and disconnects.
  public func stop() async {
    guard
      let (task, cluster, server) = running.withLock({ current in
        defer { current = nil }
        return current
      })
    else { return }
    task.cancel()
    _ = try? await task.value
    await server.listing.stop()
    await cluster.close()
  }
}
