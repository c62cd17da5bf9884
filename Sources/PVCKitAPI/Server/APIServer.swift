public import Foundation
import HTTPTypes
public import Hummingbird
import HummingbirdWebSocket
import Logging
public import PVCKit
public import PVCKitServer

/// The HTTP API v1 server over a cluster: upstream PVC's paths, parameters,
/// status codes and JSON shapes, under `/api/v1`.
///
/// ```swift
/// let server = APIServer(cluster: cluster, settings: .init(tokens: ["secret"]))
/// try await server.run()
/// ```
public struct APIServer: Sendable {
  /// Where and how the server listens.
  public struct Settings: Sendable {
    public var address: String
    public var port: Int
    /// Require an API key (or a login session) on every endpoint upstream protects.
    public var authenticationEnabled: Bool
    /// Administrators' tokens (upstream's kind), named by their place in the audit log.
    public var tokens: [String]
    /// Tokens with their names and roles (`api.token` entries of pvc.conf).
    public var credentials: [APICredential] = []
    /// PEM certificate chain and private key files; both set for HTTPS.
    public var certificateFile: String?
    public var privateKeyFile: String?
    /// The largest request body accepted, in bytes.
    public var maxBodySize: Int
    /// Whether `/metrics` answers (`subsystem.enable_prometheus`).
    public var prometheus = true

    /// Creates settings; authentication is on whenever tokens are given.
    public init(
      address: String = "127.0.0.1", port: Int = 7370, authenticationEnabled: Bool? = nil, tokens: [String] = [],
      certificateFile: String? = nil, privateKeyFile: String? = nil, maxBodySize: Int = 8 << 20
    ) {
      self.address = address
      self.port = port
      self.authenticationEnabled = authenticationEnabled ?? !tokens.isEmpty
      self.tokens = tokens
      self.certificateFile = certificateFile
      self.privateKeyFile = privateKeyFile
      self.maxBodySize = maxBodySize
    }

    /// Whether no token at all is configured.
    public var hasNoTokens: Bool { tokens.allSatisfy(\.isEmpty) && credentials.allSatisfy(\.token.isEmpty) }

    /// Where the server really listens: without authentication, on loopback only,
    /// whatever ``address`` says (then only this machine's users reach it).
    public var listenAddress: String {
      authenticationEnabled || Self.isLoopback(address) ? address : "127.0.0.1"
    }

    /// Whether an address is a loopback one (`127.0.0.0/8`, `::1`, `localhost`).
    public static func isLoopback(_ address: String) -> Bool {
      address == "localhost" || address == "::1" || address.hasPrefix("127.")
    }

    /// The settings of `pvc.conf`'s `api` section (and `subsystem.enable_prometheus`).
    public static func from(_ configuration: PVCConfiguration) -> Settings {
      let api = configuration.api
      var settings = Settings(
        address: api.listenAddress, port: api.listenPort, authenticationEnabled: api.authenticationEnabled,
        certificateFile: api.sslEnabled ? api.certificate : nil, privateKeyFile: api.sslEnabled ? api.privateKey : nil)
      settings.credentials = api.credentials
      settings.prometheus = configuration.subsystems.prometheus
      return settings
    }
  }

  public let cluster: PVCCluster
  public let settings: Settings
  let authenticator: APIAuthenticator
  /// Where audit entries are logged besides ZooKeeper (standard error: under systemd, the unit's journal).
  let auditLogger = Logger(label: "pvc.audit")
  /// Encoded VM listings.
  let listing: VMListing
  /// The figures `/metrics` answers with.
  let metrics = Held<MetricsSnapshot>()
  /// The storage figures last read, for reads whose storage does not answer.
  let metricsMemory = MetricsMemory()
  /// The API's requests, counted as they are answered.
  let requests = RequestMetrics()

  /// Ceph's and ZooKeeper's own figures, held as the cluster's are (each scrape would otherwise ask them).
  let cephMetrics = Held<String>()
  let zookeeperMetrics = Held<String>()

  /// The held figures (see ``Held``), rendered once per read.
  func metricsSnapshot() async throws -> MetricsSnapshot {
    let (cluster, memory) = (self.cluster, metricsMemory)
    return try await metrics.current { MetricsSnapshot(try await MetricsSource.read(cluster, previous: memory)) }
  }

  /// Ceph's own metrics text (held).
  func cephMetricsText() async throws -> String {
    let storage = cluster.storage
    return try await cephMetrics.current { try await storage.prometheusMetrics() }
  }

  /// ZooKeeper's own metrics text (held).
  func zookeeperMetricsText() async -> String {
    let servers = ZooKeeperMetrics.servers(cluster.connection)
    return (try? await zookeeperMetrics.current { await ZooKeeperMetrics.render(servers: servers) }) ?? ""
  }

  /// The body `GET /metrics` answers, from the held figures (for benchmarks and programs embedding the server).
  public func metricsBody() async throws -> String {
    let snapshot = try await metricsSnapshot()
    let ceph = (try? await cephMetricsText()) ?? ""
    return snapshot.health + snapshot.resource + ceph + (await zookeeperMetricsText()) + snapshot.extras
      + PVCKitMetrics.age(of: snapshot.source) + requests.text
  }

  /// Upstream's families read from the cluster and rendered now, without holding anything: what every scrape
  /// would cost without the held figures (for benchmarks).
  public static func freshMetrics(_ cluster: PVCCluster) async throws -> String {
    let snapshot = MetricsSnapshot(try await MetricsSource.read(cluster))
    return snapshot.health + snapshot.resource + snapshot.extras
  }

  /// Creates a server over a connected cluster, which it follows (see
  /// ``PVCCluster/follow()``): listings, node information and the status are
  /// answered from watch-fed views.
  public init(cluster: PVCCluster, settings: Settings) {
    cluster.follow()
    self.cluster = cluster
    self.settings = settings
    authenticator = APIAuthenticator(
      enabled: settings.authenticationEnabled, tokens: settings.tokens, credentials: settings.credentials)
    listing = VMListing(cluster: cluster)
  }

  /// The body `GET /vm` answers for `filter`, as the server makes it: from its
  /// watch-fed view with the encoded answer cached until the view changes
  /// (`nil` when no VM matches). For benchmarks and programs embedding the server.
  public func vmListBody(_ filter: VMFilter) async throws -> Data? {
    try await listing.json(filter)
  }

  /// The path every route lives under.
  public static let prefix = "/api/v1"

  /// Every endpoint, as implemented.
  static let allRoutes: [APIRoute] =
    RootRoutes.all + FaultRoutes.all + TaskRoutes.all + NodeRoutes.all + VMRoutes.all + VMReceiveRoutes.all
    + NetworkRoutes.all
    + StorageRoutes.all + DNSRoutes.all + ProvisionerRoutes.all
    + MetricsRoutes.all
    + DocumentRoutes.all

  /// Every endpoint, as implemented.
  var routes: [APIRoute] { Self.allRoutes }

  /// The router (also what in-process tests drive).
  public func router() -> Router<PVCRequestContext> {
    let router = HTTPApplication.router(tls: settings.certificateFile != nil)
    router.add(middleware: ErrorMiddleware())
    for route in routes {
      let server = self
      let pattern = route.path
      if let webSocket = route.webSocket {
        addWebSocket(route, webSocket, to: router)
        continue
      }
      router.on(RouterPath(Self.prefix + route.routerPath), method: route.method) { request, context in
        let started = ContinuousClock.now
        let response = await server.respond(to: request, context: context, route: route)
        server.requests.record(
          method: request.method.rawValue, route: pattern, code: response.status.code,
          duration: ContinuousClock.now - started)
        return response
      }
    }
    return router
  }

  /// A WebSocket route: a plain GET gets the route's answer (426 when it may upgrade); an upgrade request is
  /// authenticated, checked and audited the same way and, answered 426, upgraded.
  private func addWebSocket(
    _ route: APIRoute, _ webSocket: @escaping APIRoute.WebSocketHandler, to router: Router<PVCRequestContext>
  ) {
    let server = self
    router.ws(
      RouterPath(Self.prefix + route.routerPath),
      shouldUpgrade: { request, context in
        let upgrading = request.headers[.upgrade]?.lowercased() == "websocket"
        // Attachments are audited, and so are refusals of plain requests (clients ask before upgrading).
        let response = await server.respond(to: request, context: context, route: route) { status in
          upgrading || status == .unauthorized || status == .forbidden
        }
        guard upgrading, response.status == .upgradeRequired else { throw PreparedResponse(response) }
        return .upgrade([:])
      },
      onUpgrade: { inbound, outbound, context in
        var path: [String: String] = [:]
        for name in route.pathParameters {
          let raw = context.requestContext.parameters.get(name) ?? ""
          path[name] = raw.removingPercentEncoding ?? raw
        }
        await webSocket(server.cluster, path, inbound, outbound)
      })
  }

  /// The application: the router on the configured address, with TLS if configured.
  /// - Parameter onServerRunning: called once the server accepts connections.
  public func application(onServerRunning: @escaping @Sendable () async -> Void = {}) throws
    -> some ApplicationProtocol
  {
    try HTTPApplication.make(
      router: router(), address: settings.listenAddress, port: settings.port, serverName: "pvcapi",
      certificateFile: settings.certificateFile, privateKeyFile: settings.privateKeyFile,
      onServerRunning: onServerRunning)
  }

  /// Serves until SIGINT or SIGTERM, then finishes the requests in progress and returns.
  public func run() async throws {
    cluster.follow()
    try await application().runService()
  }
}
