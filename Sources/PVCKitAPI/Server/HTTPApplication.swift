public import Hummingbird
import HummingbirdTLS
import NIOSSL

/// Builds the Hummingbird application of a PVCKit server (the API or the web
/// UI): a router on an address, over HTTPS when a certificate and key are given.
public enum HTTPApplication {
  /// The application.
  /// - Parameter onServerRunning: called once the server accepts connections.
  public static func make(
    router: Router<BasicRequestContext>, address: String, port: Int, serverName: String, certificateFile: String?,
    privateKeyFile: String?, onServerRunning: @escaping @Sendable () async -> Void
  ) throws -> some ApplicationProtocol {
    let configuration = ApplicationConfiguration(address: .hostname(address, port: port), serverName: serverName)
    if let certificateFile, let privateKeyFile {
      let tls = TLSConfiguration.makeServerConfiguration(
        certificateChain: try NIOSSLCertificate.fromPEMFile(certificateFile).map { .certificate($0) },
        privateKey: .privateKey(try NIOSSLPrivateKey(file: privateKeyFile, format: .pem)))
      return Application(
        router: router, server: try .tls(.http1(), tlsConfiguration: tls), configuration: configuration,
        onServerRunning: { _ in await onServerRunning() })
    }
    return Application(
      router: router, server: .http1(), configuration: configuration, onServerRunning: { _ in await onServerRunning() })
  }
}
