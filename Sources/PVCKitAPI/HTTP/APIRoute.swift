import HTTPTypes
import Hummingbird
import HummingbirdWebSocket
import PVCKit

/// One endpoint of the API: an operation described in PVCKit (``OperationSpec``:
/// method, path, parameters, answers) and its handler. The router and the
/// OpenAPI document are both built from the list of routes, so they cannot
/// disagree, and PVCKit's HTTP client sends what the same descriptions declare.
struct APIRoute: Sendable {
  let spec: OperationSpec
  let handler: @Sendable (APICall) async throws -> Response
  /// For a WebSocket route: what runs once the connection is upgraded (``handler`` answers the request that
  /// asks for it, 426 when it may upgrade).
  let webSocket: WebSocketHandler?

  /// What a WebSocket route does with the connection: the cluster, the path's values, the socket.
  typealias WebSocketHandler =
    @Sendable (PVCCluster, [String: String], WebSocketInboundStream, WebSocketOutboundWriter)
    async -> Void

  init(_ spec: OperationSpec, handler: @escaping @Sendable (APICall) async throws -> Response) {
    self.spec = spec
    self.handler = handler
    webSocket = nil
  }

  /// A WebSocket route.
  init(
    _ spec: OperationSpec, check: @escaping @Sendable (APICall) async throws -> Response,
    webSocket: @escaping WebSocketHandler
  ) {
    self.spec = spec
    handler = check
    self.webSocket = webSocket
  }

  var method: HTTPRequest.Method {
    switch spec.method {
    case .get: .get
    case .post: .post
    case .put: .put
    case .delete: .delete
    case .patch: .patch
    }
  }
  var path: String { spec.path }
  var summary: String { spec.summary }
  var isOpen: Bool { spec.isOpen }
  var parameters: [OperationParameter] { spec.parameters }
  var responses: [Int: String] { spec.responses }
  var pathParameters: [String] { spec.pathParameters }

  /// The path in the router's form (`:name`).
  var routerPath: String {
    path.split(separator: "/", omittingEmptySubsequences: false).map { part in
      part.hasPrefix("{") && part.hasSuffix("}") ? ":" + part.dropFirst().dropLast() : String(part)
    }.joined(separator: "/")
  }
}

/// What a handler gets: the cluster, the checked parameters and the path's values.
struct APICall: Sendable {
  let cluster: PVCCluster
  let parameters: ValidatedParameters
  let path: [String: String]
  let headers: HTTPFields
  let server: APIServer
  /// The client's address (for limits on failed logins).
  let client: String
  /// The request's body, unread (only uploads read it; forms are read into ``parameters``).
  let body: RequestBody

  /// A path parameter (always present: the router matched it).
  func path(_ name: String) -> String { path[name] ?? "" }
}
