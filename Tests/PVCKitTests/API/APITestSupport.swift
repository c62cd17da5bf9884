import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import PVCKit
import PVCKitFixtures

@testable import PVCKitAPI

/// An API server in process over a fresh ZooKeeper chroot, and a client for it.
struct APITestHarness: Sendable {
  static let token = "test-token-0123456789"
  let cluster: PVCCluster
  let server: APIServer
  let client: any TestClientProtocol

  /// Runs `body` against a fresh initialized cluster (seeded with `vms` upstream-layout VMs if asked), its DNS
  /// operations reaching `database` when one is given.
  static func with(
    vms: Int? = nil, authentication: Bool = true, database: MariaDBConnection.Settings? = nil,
    provisionerDatabase: MariaDBConnection.Settings? = nil, settings: APIServer.Settings? = nil,
    name: String = #function, _ body: @Sendable (APITestHarness) async throws -> Void
  ) async throws {
    let hosts = try await TestServices.chroot(name: name)
    let cluster = try await PVCCluster.connect(
      .zookeeper(hosts: hosts), database: database, provisionerDatabase: provisionerDatabase)
    if let vms {
      try await UpstreamSeeder(zookeeper: cluster.zookeeper!, vms: vms).seed()
    } else {
      try await cluster.initialize()
    }
    let server = APIServer(
      cluster: cluster,
      settings: settings ?? .init(authenticationEnabled: authentication, tokens: [token], maxBodySize: 1 << 20))
    let app = Application(router: server.router())
    do {
      try await app.test(.router) { client in
        try await body(APITestHarness(cluster: cluster, server: server, client: client))
      }
    } catch {
      await cluster.close()
      throw error
    }
    await cluster.close()
  }

  /// One request: `parameters` go in the query string (or a form body with `form: true`).
  func call(
    _ method: HTTPRequest.Method, _ path: String, _ parameters: [(String, String)] = [], form: Bool = false,
    key: String? = APITestHarness.token, headers extra: HTTPFields = [:]
  ) async throws -> APIResponse {
    var headers = extra
    if let key { headers[HTTPField.Name("X-Api-Key")!] = key }
    let encoded = parameters.map { "\(Self.escape($0.0))=\(Self.escape($0.1))" }.joined(separator: "&")
    var uri = APIServer.prefix + path
    var body: ByteBuffer?
    if form {
      headers[.contentType] = "application/x-www-form-urlencoded"
      body = ByteBuffer(string: encoded)
    } else if !encoded.isEmpty {
      uri += "?" + encoded
    }
    return try await client.execute(uri: uri, method: method, headers: headers, body: body) { response in
      APIResponse(
        status: response.status.code, headers: response.headers,
        body: Data(response.body.getBytes(at: response.body.readerIndex, length: response.body.readableBytes) ?? []))
    }
  }

  static func escape(_ text: String) -> String {
    var allowed = CharacterSet.alphanumerics
    allowed.insert(charactersIn: "-._~")
    return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
  }
}

/// A response as the tests look at it.
struct APIResponse {
  var status: Int
  var headers: HTTPFields
  var body: Data

  var text: String { String(decoding: body, as: UTF8.self) }
  var json: Any? { try? JSONSerialization.jsonObject(with: body, options: [.fragmentsAllowed]) }
  /// `message` of a `{"message": "..."}` body.
  var message: String? { (json as? [String: Any])?["message"] as? String }
  /// The parameter errors of a `{"message": {"name": "why"}}` body.
  var parameterErrors: [String: String]? { (json as? [String: Any])?["message"] as? [String: String] }
  var list: [[String: Any]]? { json as? [[String: Any]] }
  var object: [String: Any]? { json as? [String: Any] }
}

extension ClusterBackup {
  /// Whether two backups hold the same cluster data, the empty `/pvckit` node aside: the API's audit log makes
  /// it for its entries (which backups leave out) on the first call that changes, or would change, something.
  func sameData(as other: ClusterBackup) -> Bool {
    func data(_ backup: ClusterBackup) -> [String: String] {
      backup.entries.filter { $0.key != Layout.coordinationRoot || !$0.value.isEmpty }
    }
    return data(self) == data(other)
  }
}
