import Foundation
import HTTPTypes
public import Hummingbird
import Logging
public import PVCKit
public import PVCKitServer
import Synchronization

/// The web UI: server-side HTML over a cluster, no JavaScript needed. Log in
/// with an API token; every action is a form carrying the session's CSRF token.
///
/// ```swift
/// try await WebServer(cluster: cluster, settings: .init(tokens: ["secret"])).run()
/// ```
public struct WebServer: Sendable {
  /// Where and how the server listens.
  public struct Settings: Sendable {
    public var address: String
    public var port: Int
    /// The tokens that log in as administrators (upstream's kind of token).
    public var tokens: [String]
    /// Tokens with their names and roles (the cluster's `api.token` entries).
    public var credentials: [APICredential] = []
    /// PEM certificate chain and private key files; both set for HTTPS.
    public var certificateFile: String?
    public var privateKeyFile: String?
    /// The own cluster's name on the clusters page (pvc.conf's `cluster.name`).
    public var clusterName = "local"
    /// Other clusters shown beside it (pvc.conf's `web.clusters`).
    public var otherClusters: [PVCConfiguration.OtherCluster] = []

    /// Creates settings (loopback, port 7371, by default).
    public init(
      address: String = "127.0.0.1", port: Int = 7371, tokens: [String], certificateFile: String? = nil,
      privateKeyFile: String? = nil
    ) {
      self.address = address
      self.port = port
      self.tokens = tokens
      self.certificateFile = certificateFile
      self.privateKeyFile = privateKeyFile
    }
  }

  public let cluster: PVCCluster
  public let settings: Settings
  let authenticator: APIAuthenticator
  let sessions = WebSessions()
  /// One-use tickets of console pages.
  let consoleTickets = ConsoleTickets()
  /// Where audit entries are logged besides ZooKeeper (standard error: under systemd, the unit's journal).
  let auditLogger = Logger(label: "pvc.audit")
  let history = VMStatsHistory()
  let health = HealthHistory()
  /// Every cluster this UI shows.
  let clusters: WebClusters

  /// Creates the UI over a connected cluster.
  public init(cluster: PVCCluster, settings: Settings) {
    self.cluster = cluster
    self.settings = settings
    authenticator = APIAuthenticator(enabled: true, tokens: settings.tokens, credentials: settings.credentials)
    clusters = WebClusters(localName: settings.clusterName, local: cluster, others: settings.otherClusters)
    // Pages are answered from PVCKit's watch-fed views.
    cluster.follow()
  }

  /// The router (also what in-process tests drive).
  public func router() -> Router<PVCRequestContext> {
    let router = HTTPApplication.router(tls: settings.certificateFile != nil)
    router.add(middleware: WebClientAddress.Middleware())
    router.add(middleware: WebCluster.Middleware(server: self))
    WebRoutes(server: self).register(on: router)
    return router
  }

  /// The application on the configured address (HTTPS if a certificate is configured).
  public func application(onServerRunning: @escaping @Sendable () async -> Void = {}) throws
    -> some ApplicationProtocol
  {
    try HTTPApplication.make(
      router: router(), address: settings.address, port: settings.port, serverName: "pvcweb",
      certificateFile: settings.certificateFile, privateKeyFile: settings.privateKeyFile,
      onServerRunning: onServerRunning)
  }

  /// Serves until SIGINT or SIGTERM.
  public func run() async throws {
    defer { Task { [clusters] in await clusters.close() } }
    try await application().runService()
  }

  /// Starts serving in the background; returns once the server accepts connections.
  public func start() async throws -> RunningServer {
    return try await RunningServer.start(
      label: "pvcweb", onStop: { [clusters] in await clusters.close() },
      make: { running in try application(onServerRunning: running) })
  }
}
