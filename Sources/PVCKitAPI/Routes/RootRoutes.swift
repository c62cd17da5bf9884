import Foundation
import HTTPTypes
import Hummingbird
import PVCKit
import PVCKitServer

/// `/`, login and logout, initialize, backup and restore, status.
enum RootRoutes {
  static let confirm = ParameterSpec.string(
    "yes-i-really-mean-it", required: true, "Confirmation of a destructive action: 'yes'")

  static let all: [APIRoute] = [
    APIRoute(method: .get, path: "/", summary: "The API version", isOpen: true, responses: [200: "API-Version"]) { _ in
      Responses.message("PVC API version 1.0")
    },
    APIRoute(
      method: .post, path: "/login", summary: "Log in with an API token (sets a session cookie)", isOpen: true,
      parameters: [.string("token", required: true, "An API token")], responses: [200: "Message", 401: "Message"]
    ) { call in
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
      guard authenticator.isValid(token: call.parameters.string("token") ?? "") else {
        authenticator.throttle.recordFailure(call.client)
        return Responses.message("Invalid API token.", status: .unauthorized)
      }
      authenticator.throttle.recordSuccess(call.client)
      let session = authenticator.sessions.open()
      // The CSRF token goes back in X-CSRF-Token with every request that changes something.
      var response = try Responses.json(["message": "Logged in.", "csrf_token": session.csrf])
      response.headers[.setCookie] =
        "\(APIAuthenticator.sessionCookie)=\(session.id); Path=/; HttpOnly; SameSite=Strict"
        + (call.server.settings.certificateFile == nil ? "" : "; Secure")
      return response
    },
    APIRoute(method: .post, path: "/logout", summary: "Log out of a session", isOpen: true) { call in
      if let session = APIAuthenticator.cookie(APIAuthenticator.sessionCookie, in: call.headers) {
        call.server.authenticator.sessions.close(session)
      }
      var response = Responses.message("Logged out.")
      response.headers[.setCookie] = "\(APIAuthenticator.sessionCookie)=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict"
      return response
    },
    APIRoute(
      method: .post, path: "/initialize", summary: "Initialize a new cluster",
      parameters: [.boolean("overwrite", "Erase an existing cluster's data first"), confirm],
      responses: [200: "Message", 400: "Message"]
    ) { call in
      try confirmed(call)
      try await call.cluster.initialize(overwrite: call.parameters.flag("overwrite"))
      return Responses.message("Successfully initialized a new PVC cluster.")
    },
    APIRoute(
      method: .get, path: "/backup", summary: "Back up the cluster's ZooKeeper data",
      responses: [200: "Cluster Data", 400: "Message"]
    ) { call in
      // As upstream: the body is a JSON string holding the backup's JSON text.
      let text = String(decoding: try await call.cluster.backup().jsonData(), as: UTF8.self)
      return try Responses.json(text)
    },
    APIRoute(
      method: .post, path: "/restore", summary: "Restore a backup over the cluster (replaces its data)",
      parameters: [confirm, .text("cluster_data", required: true, "The backup's JSON text")],
      responses: [200: "Message", 400: "Message"]
    ) { call in
      try confirmed(call)
      let backup = try ClusterBackup(json: Data((call.parameters.string("cluster_data") ?? "").utf8))
      try await call.cluster.restore(backup)
      return Responses.message("Restore completed successfully.")
    },
    APIRoute(
      method: .get, path: "/status", summary: "The cluster's status", responses: [200: "ClusterStatus", 400: "Message"]
    ) { call in
      try Responses.json(try await call.cluster.status())
    },
    APIRoute(
      method: .post, path: "/status", summary: "Turn maintenance mode on or off",
      parameters: [.boolean("state", required: true, "Maintenance mode: true or false")],
      responses: [200: "Message", 400: "Message"]
    ) { call in
      let on = call.parameters.flag("state")
      try await call.cluster.setMaintenance(on)
      return Responses.message(
        on ? "Successfully set cluster in maintenance mode" : "Successfully set cluster in normal mode")
    },
    APIRoute(
      method: .get, path: "/status/primary_node", summary: "The primary coordinator's name (204 when there is none)",
      isOpen: true, responses: [200: "object", 204: "none"]
    ) { call in
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
