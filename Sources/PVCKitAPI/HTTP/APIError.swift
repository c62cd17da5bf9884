import HTTPTypes
import PVCKit

/// A failed request: an HTTP status and upstream's `{"message": ...}` body.
struct APIError: Error, Sendable {
  var status: HTTPResponse.Status
  /// A message, or (for parameter errors) parameter names mapped to what is wrong with them.
  var body: Body

  enum Body: Sendable {
    case message(String)
    case parameters([String: String])
  }

  init(_ status: HTTPResponse.Status, _ message: String) {
    self.status = status
    self.body = .message(message)
  }

  /// A parameter is missing or invalid: flask-restful's shape, `{"message": {"name": "why"}}`.
  static func parameter(_ name: String, _ problem: String) -> APIError {
    APIError(status: .badRequest, body: .parameters([name: problem]))
  }

  private init(status: HTTPResponse.Status, body: Body) {
    self.status = status
    self.body = body
  }

  /// A 400 with upstream's `ERROR:` prefix.
  static func badRequest(_ message: String) -> APIError { APIError(.badRequest, "ERROR: \(message)") }

  /// What a PVCKit error means for a client: 404 for something missing, 400 for
  /// a refused request, 500 (with the reason) for a failure of the cluster.
  static func from(_ error: any Error) -> APIError {
    switch error {
    case let error as APIError: return error
    case let error as VMError:
      if case .notFound = error { return APIError(.notFound, "ERROR: \(error.description)") }
      return .badRequest(error.description)
    case let error as NodeError:
      switch error {
      case .notFound: return APIError(.notFound, "ERROR: \(error.description)")
      case .timedOut: return APIError(.gatewayTimeout, "ERROR: \(error.description)")
      default: return .badRequest(error.description)
      }
    case let error as FaultError: return APIError(.notFound, "ERROR: \(error.description)")
    case let error as TaskError: return APIError(.notFound, "ERROR: \(error.description)")
    case let error as ClusterError: return .badRequest(error.description)
    case let error as SchemaError: return .badRequest(error.description)
    case let error as ZooKeeperError:
      return APIError(.serviceUnavailable, "ERROR: the cluster's ZooKeeper is not available: \(error.description)")
    default: return APIError(.internalServerError, "ERROR: \(error)")
    }
  }
}
