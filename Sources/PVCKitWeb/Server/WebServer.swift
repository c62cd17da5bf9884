public import Foundation
import HTTPTypes
public import Hummingbird
public import PVCKit
public import PVCKitAPI
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
    /// The tokens that log in (the cluster's API tokens).
    public var tokens: [String]
    /// PEM certificate chain and private key files; both set for HTTPS.
    public var certificateFile: String?
    public var privateKeyFile: String?

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
  let history = VMStatsHistory()
  let view: ViewHolder

  /// Creates the UI over a connected cluster.
  public init(cluster: PVCCluster, settings: Settings) {
    self.cluster = cluster
    self.settings = settings
    authenticator = APIAuthenticator(enabled: true, tokens: settings.tokens)
    view = ViewHolder(cluster: cluster)
  }

  /// The router (also what in-process tests drive).
  public func router() -> Router<PVCRequestContext> {
    let router = HTTPApplication.router(tls: settings.certificateFile != nil)
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
    view.start()
    try await application().runService()
    await view.stop()
  }

  /// Starts serving in the background; returns once the server accepts connections.
  public func start() async throws -> RunningServer {
    view.start()
    let view = self.view
    return try await RunningServer.start(
      label: "pvcweb", onStop: { await view.stop() },
      make: { running in try application(onServerRunning: running) })
  }
}

/// A watch-fed VM view, loaded in the background, for lists of thousands of VMs.
final class ViewHolder: Sendable {
  private let cluster: PVCCluster
  private let state = Mutex<(view: VMView?, loading: Bool)>((nil, false))

  init(cluster: PVCCluster) { self.cluster = cluster }

  func start() {
    guard let zookeeper = cluster.zookeeper else { return }
    let begin = state.withLock { state in
      defer { state.loading = true }
      return state.view == nil && !state.loading
    }
    guard begin else { return }
    Task {
      let view = try? await VMView.start(zookeeper: zookeeper)
      state.withLock { $0 = (view, false) }
    }
  }

  /// The VMs matching a filter: from the view once loaded, else read.
  func list(_ filter: VMFilter) async throws -> [VMInfo] {
    if let view = state.withLock({ $0.view }) { return try view.list(filter) }
    start()
    return try await cluster.vms.list(filter)
  }

  func stop() async {
    let view = state.withLock { state in
      defer { state.view = nil }
      return state.view
    }
    await view?.stop()
  }
}
