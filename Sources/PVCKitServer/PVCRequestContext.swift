public import Hummingbird
public import HummingbirdWebSocket
public import NIOCore

/// The request context of PVCKit's servers (the API and the web UI): what
/// Hummingbird keeps for a request, and the client's address (for limits on
/// failed logins).
public struct PVCRequestContext: RequestContext, RemoteAddressRequestContext, WebSocketRequestContext {
  public var coreContext: CoreRequestContextStorage
  /// The WebSocket handler of a request that upgrades (consoles).
  public let webSocket = WebSocketHandlerReference<PVCRequestContext>()
  /// The client's socket address (`nil` in tests that run without sockets).
  public let remoteAddress: SocketAddress?

  public init(source: ApplicationRequestContextSource) {
    coreContext = .init(source: source)
    remoteAddress = source.channel.remoteAddress
  }

  /// What identifies the client for rate limits: its IP address.
  public var client: String { remoteAddress?.ipAddress ?? "local" }
}
