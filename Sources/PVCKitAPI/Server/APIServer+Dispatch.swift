import Foundation
import HTTPTypes
import Hummingbird
import Logging
import PVCKit
import PVCKitServer

extension APIServer {
  /// Answers one request for a route: authentication, the role the operation needs, the handler, and the
  /// audit log for calls that change something (or those whose answer `audited` picks). Never throws.
  func respond(
    to request: Request, context: PVCRequestContext, route: APIRoute,
    audited: (@Sendable (HTTPResponse.Status) -> Bool)? = nil
  ) async -> Response {
    guard !route.isOpen else { return await handle(request, context: context, route: route) }
    let identity: APIAuthenticator.Identity?
    let response: Response
    switch authenticator.identify(request.headers, method: request.method) {
    case .failure(let refusal):
      identity = nil
      response = Responses.error(APIError(refusal.status, refusal.message))
    case .success(let who) where who.role < route.spec.requiredRole:
      identity = who
      response = Responses.error(
        APIError(
          .forbidden,
          "The \(who.role.rawValue) token '\(who.name)' may not \(route.spec.summary.lowercased()) "
            + "(\(route.spec.requiredRole.rawValue) needed)."))
    case .success(let who):
      identity = who
      response = await handle(request, context: context, route: route)
    }
    if audited?(response.status) ?? (route.spec.method != .get) {
      // A WebSocket request answered 426 is upgraded next: recorded as such.
      let upgrade = request.headers[.upgrade]?.lowercased() == "websocket" && response.status == .upgradeRequired
      let recorded = upgrade ? Response(status: .switchingProtocols) : response
      await audit(request, context: context, route: route, identity: identity, response: recorded)
    }
    return response
  }

  /// Records a state-changing call in the audit log (and the log of this program: the unit's journal). A log
  /// that cannot be written does not change the answer.
  private func audit(
    _ request: Request, context: PVCRequestContext, route: APIRoute, identity: APIAuthenticator.Identity?,
    response: Response
  ) async {
    let entry = AuditEntry(
      who: identity?.name ?? "(not identified)", role: identity?.role.rawValue ?? "-", client: context.client,
      operation: route.spec.id, method: request.method.rawValue, path: request.uri.path,
      status: Int(response.status.code), result: response.status.reasonPhrase)
    auditLogger.notice("\(entry.line)")
    guard let zookeeper = cluster.zookeeper else { return }
    do {
      try await AuditLog.append(entry, zookeeper: zookeeper)
    } catch {
      auditLogger.warning("the audit log could not be written: \(error)")
    }
  }

  /// Parameters, the handler, and errors turned into upstream's JSON messages. Never throws.
  private func handle(_ request: Request, context: PVCRequestContext, route: APIRoute) async -> Response {
    do {
      let form = try await formBody(of: request)
      let parameters = try ValidatedParameters(
        RequestParameters(query: request.uri.query, form: form), against: route.parameters)
      var path: [String: String] = [:]
      for name in route.pathParameters {
        let raw = context.parameters.get(name) ?? ""
        let value = raw.removingPercentEncoding ?? raw
        guard !value.isEmpty, value.utf8.count <= 255,
          !value.unicodeScalars.contains(where: { $0.properties.generalCategory == .control })
        else { throw APIError.badRequest("invalid \(name) '\(OperationParameter.shown(value))'") }
        path[name] = value
      }
      let call = APICall(
        cluster: cluster, parameters: parameters, path: path, headers: request.headers, server: self,
        client: context.client, body: request.body)
      return try await route.handler(call)
    } catch {
      return Responses.error(APIError.from(error))
    }
  }

  /// A form-encoded body's text, or `nil` for requests without one.
  private func formBody(of request: Request) async throws -> String? {
    let type = request.headers[.contentType]?.lowercased() ?? ""
    guard type.hasPrefix("application/x-www-form-urlencoded") else {
      // Other bodies are not read (upstream takes parameters from the query or a form).
      return nil
    }
    let buffer: ByteBuffer
    do {
      buffer = try await request.body.collect(upTo: settings.maxBodySize)
    } catch {
      throw APIError(.contentTooLarge, "ERROR: the request body is larger than \(settings.maxBodySize) bytes")
    }
    guard let text = buffer.getString(at: buffer.readerIndex, length: buffer.readableBytes) else {
      throw APIError.badRequest("the request body is not UTF-8 text")
    }
    return text
  }
}

/// Turns the router's own errors (no such route, wrong method) into upstream's JSON messages.
struct ErrorMiddleware: RouterMiddleware {
  typealias Context = PVCRequestContext

  func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
    -> Response
  {
    do {
      return try await next(request, context)
    } catch let prepared as PreparedResponse {
      return prepared.response
    } catch let error as HTTPError {
      if error.status == .notFound {
        return Responses.message(
          "No such endpoint: \(request.method) \(request.uri.path). The endpoints are listed at \(APIServer.prefix)/openapi.json.",
          status: .notFound)
      }
      return Responses.message(error.body ?? error.status.reasonPhrase, status: error.status)
    } catch {
      return Responses.message("ERROR: \(error)", status: .internalServerError)
    }
  }
}

/// An answer made before the router's handler runs (a WebSocket upgrade refused), passed through as it is.
struct PreparedResponse: Error {
  let response: Response
  init(_ response: Response) { self.response = response }
}
