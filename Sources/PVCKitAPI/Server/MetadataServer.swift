import Foundation
import Hummingbird
public import PVCKit
public import PVCKitServer
import Synchronization

/// The cloud-init metadata service (upstream's EC2-style routes), run by the primary on 169.254.169.254: a VM
/// asks from its own address and gets its own data only (``PVCCluster/metadata(forAddress:)``). No key: VMs
/// have none, as upstream; what identifies the caller is the address its lease gives it.
public struct MetadataServer: Sendable {
  public let cluster: PVCCluster
  public let address: String
  public let port: Int

  public init(cluster: PVCCluster, address: String = "169.254.169.254", port: Int = 80) {
    self.cluster = cluster
    self.address = address
    self.port = port
  }

  func router() -> Router<PVCRequestContext> {
    let router = Router(context: PVCRequestContext.self)
    router.get("/") { _, _ in
      // Upstream answers 209 here.
      Self.text("{\"message\":\"PVC Provisioner Metadata API version 1\"}", status: .init(code: 209))
    }
    router.get("/:version/meta-data") { _, _ in Self.text("instance-id\nname\nprofile") }
    router.get("/:version/meta-data/:key") { _, context in
      guard let vm = try await lookup(context) else { return Self.unknown }
      switch context.parameters.get("key") ?? "" {
      case "instance-id": return Self.text(vm.uuid)
      case "name", "hostname", "local-hostname": return Self.text(vm.name)
      case "profile": return Self.text(vm.profile)
      default: return Self.text("not found", status: .notFound)
      }
    }
    router.get("/:version/user-data") { _, context in
      guard let vm = try await lookup(context) else { return Self.unknown }
      return Self.text(vm.userdata)
    }
    return router
  }

  private func lookup(_ context: PVCRequestContext) async throws -> VMMetadata? {
    guard let address = context.remoteAddress?.ipAddress else { return nil }
    return try await cluster.metadata(forAddress: address)
  }

  static let unknown = text("no VM is known by this address", status: .notFound)

  static func text(_ body: String, status: HTTPResponse.Status = .ok) -> Response {
    var headers = HTTPFields()
    headers[.contentType] = "text/plain; charset=utf-8"
    return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: body)))
  }

  /// Serves in the background until stopped.
  public func start() async throws -> RunningServer {
    try await RunningServer.start(label: "pvc-metadata") { running in
      try HTTPApplication.make(
        router: router(), address: address, port: port, serverName: "pvc-metadata", certificateFile: nil,
        privateKeyFile: nil, onServerRunning: running)
    }
  }
}

/// The primary's metadata service: 169.254.169.254/32 on `lo` (as upstream), and the server on it.
public final class MetadataDuty: PrimaryDuty {
  public let name = "metadata service"
  private let connection: ClusterConnection
  private let provisionerDatabase: MariaDBConnection.Settings?
  private let port: Int
  private let address = "169.254.169.254"
  private let running = Mutex<(server: RunningServer, cluster: PVCCluster)?>(nil)

  public init(connection: ClusterConnection, provisionerDatabase: MariaDBConnection.Settings?, port: Int) {
    self.connection = connection
    self.provisionerDatabase = provisionerDatabase
    self.port = port
  }

  public func start() async throws {
    await stop()
    try await FloatingAddressDuty(address: IPv4Address("169.254.169.254")!, prefixLength: 32, device: "lo").start()
    let cluster = try await PVCCluster.connect(connection, provisionerDatabase: provisionerDatabase)
    // Networks, leases and VMs from the watch-fed views, not a scan of the cluster per request.
    cluster.follow()
    do {
      let server = try await MetadataServer(cluster: cluster, address: address, port: port).start()
      running.withLock { $0 = (server, cluster) }
    } catch {
      await cluster.close()
      throw error
    }
  }

  public func stop() async {
    let current = running.withLock { current in
      defer { current = nil }
      return current
    }
    if let (server, cluster) = current {
      await server.stop()
      await cluster.close()
    }
    await (try? FloatingAddressDuty(address: IPv4Address("169.254.169.254")!, prefixLength: 32, device: "lo"))?.stop()
  }
}
