import Foundation
import HTTPTypes
import Hummingbird
import PVCKit
import PVCKitServer

/// `/`, login and logout, initialize, backup and restore, status.
enum RootRoutes {
  static let all: [APIRoute] = [
    APIRoute(.root) { _ in
      Responses.message("PVC API version 1.0")
    },
    APIRoute(.login) { call in
      let authenticator = call.server.authenticator
      guard !call.parameters.isInQuery("token") else {
        throw APIError.parameter("token", "send the token in the request body, never in the URL")
      }
      if let wait = authenticator.throttle.retryAfter(call.client) {
        var refused = Responses.message(
          "Too many failed logins from this address; try again in \(wait) s.", status: .tooManyRequests)
        refused.headers[.retryAfter] = String(wait)
        return refused
      }
      guard let identity = authenticator.identity(of: call.parameters.string("token") ?? "") else {
        authenticator.throttle.recordFailure(call.client)
        return Responses.message("Invalid API token.", status: .unauthorized)
      }
      authenticator.throttle.recordSuccess(call.client)
      let session = authenticator.sessions.open(for: identity)
      // The CSRF token goes back in X-CSRF-Token with every request that changes something.
      var response = try Responses.json(["message": "Logged in.", "csrf_token": session.csrf])
      response.headers[.setCookie] =
        "\(APIAuthenticator.sessionCookie)=\(session.id); Path=/; HttpOnly; SameSite=Strict"
        + (call.server.settings.certificateFile == nil ? "" : "; Secure")
      return response
    },
    APIRoute(.logout) { call in
      if let session = APIAuthenticator.cookie(APIAuthenticator.sessionCookie, in: call.headers) {
        call.server.authenticator.sessions.close(session)
      }
      var response = Responses.message("Logged out.")
      response.headers[.setCookie] = "\(APIAuthenticator.sessionCookie)=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict"
      return response
    },
    APIRoute(.clusterInitialize) { call in
      try confirmed(call)
      try await call.cluster.initialize(overwrite: call.parameters.flag("overwrite"))
      return Responses.message("Successfully initialized a new PVC cluster.")
    },
    APIRoute(.clusterBackup) { call in
      // As upstream: the body is a JSON string holding the backup's JSON text.
      let text = String(decoding: try await call.cluster.backup().jsonData(), as: UTF8.self)
      return try Responses.json(text)
    },
    APIRoute(.clusterRestore) { call in
      try confirmed(call)
      let backup = try ClusterBackup(json: Data((call.parameters.string("cluster_data") ?? "").utf8))
      try await call.cluster.restore(backup)
      return Responses.message("Restore completed successfully.")
    },
    APIRoute(.clusterStatus) { call in
      try Responses.json(try await call.cluster.status())
    },
    APIRoute(.clusterSetMaintenance) { call in
      let on = call.parameters.flag("state")
      try await call.cluster.setMaintenance(on)
      return Responses.message(
        on ? "Successfully set cluster in maintenance mode" : "Successfully set cluster in normal mode")
    },
    APIRoute(.clusterAudit) { call in
      try Responses.json(try await call.cluster.audit(last: call.parameters.int("limit") ?? 100))
    },
    APIRoute(.clusterPrimaryNode) { call in
      guard let primary = try await call.cluster.nodes.primary() else { return Response(status: .noContent) }
      return try Responses.json(["primary_node": primary])
    },
  ]

  /// Refuses a destructive call without `yes-i-really-mean-it=yes`.
  static func confirmed(_ call: APICall) throws {
    guard call.parameters.string("yes-i-really-mean-it") == "yes" else {
      throw APIError.parameter("yes-i-really-mean-it", "must be 'yes' to confirm this destructive action")
    }
  }
}
