import HTTPTypes
import Hummingbird
import PVCKit

/// One endpoint of the API: method, path, what it takes and answers, and its
/// handler. The router and the OpenAPI document are both built from the list of
/// routes, so they cannot disagree.
struct APIRoute: Sendable {
  var method: HTTPRequest.Method
  /// The path below `/api/v1`, with `{name}` for path parameters (OpenAPI's form).
  var path: String
  var summary: String
  /// Reachable without an API key (as upstream leaves it).
  var isOpen = false
  var parameters: [ParameterSpec] = []
  /// The answers it gives: status code and what the body is.
  var responses: [Int: String] = [200: "Message"]
  var handler: @Sendable (APICall) async throws -> Response

  /// The path in the router's form (`:name`).
  var routerPath: String {
    path.split(separator: "/", omittingEmptySubsequences: false).map { part in
      part.hasPrefix("{") && part.hasSuffix("}") ? ":" + part.dropFirst().dropLast() : String(part)
    }.joined(separator: "/")
  }

  /// The names of the path parameters.
  var pathParameters: [String] {
    path.split(separator: "/").filter { $0.hasPrefix("{") }.map { String($0.dropFirst().dropLast()) }
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

  /// A path parameter (always present: the router matched it).
  func path(_ name: String) -> String { path[name] ?? "" }
}
