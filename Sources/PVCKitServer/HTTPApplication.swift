public import Hummingbird
import HummingbirdTLS
import HummingbirdWebSocket
import NIOSSL

/// Builds the Hummingbird application of a PVCKit server (the API or the web
/// UI): a router on an address, over HTTPS when a certificate and key are given
/// (TLS 1.2 at least, with forward-secret AEAD ciphers only; browsers are told
/// to keep to HTTPS with HSTS). The router's WebSocket routes (consoles) upgrade on the same port.
public enum HTTPApplication {
  /// A router for a server; over TLS, every answer carries HSTS.
  public static func router(tls: Bool) -> Router<PVCRequestContext> {
    let router = Router(context: PVCRequestContext.self)
    if tls { router.add(middleware: StrictTransportSecurity()) }
    return router
  }

  /// The TLS 1.2 cipher suites offered (TLS 1.3's are all forward-secret AEAD).
  static let cipherSuites =
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:"
    + "ECDHE-RSA-CHACHA20-POLY1305:ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256"

  /// The application.
  /// - Parameter onServerRunning: called once the server accepts connections.
  public static func make(
    router: Router<PVCRequestContext>, address: String, port: Int, serverName: String, certificateFile: String?,
    privateKeyFile: String?, onServerRunning: @escaping @Sendable () async -> Void
  ) throws -> some ApplicationProtocol {
    let configuration = ApplicationConfiguration(address: .hostname(address, port: port), serverName: serverName)
    if let certificateFile, let privateKeyFile {
      var tls = TLSConfiguration.makeServerConfiguration(
        certificateChain: try NIOSSLCertificate.fromPEMFile(certificateFile).map { .certificate($0) },
        privateKey: .privateKey(try NIOSSLPrivateKey(file: privateKeyFile, format: .pem)))
      tls.minimumTLSVersion = .tlsv12
      tls.cipherSuites = cipherSuites
      return Application(
        router: router, server: try .tls(.http1WebSocketUpgrade(webSocketRouter: router), tlsConfiguration: tls),
        configuration: configuration,
        onServerRunning: { _ in await onServerRunning() })
    }
    return Application(
      router: router, server: .http1WebSocketUpgrade(webSocketRouter: router), configuration: configuration,
      onServerRunning: { _ in await onServerRunning() })
  }
}

/// `Strict-Transport-Security` on every answer of a server reached over TLS.
struct StrictTransportSecurity: RouterMiddleware {
  typealias Context = PVCRequestContext

  func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
    -> Response
  {
    var response = try await next(request, context)
    response.headers[.strictTransportSecurity] = "max-age=31536000"
    return response
  }
}
