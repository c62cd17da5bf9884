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
    self.kind = ErrorKind(httpStatus: status.code)
  }

  /// A parameter is missing or invalid: flask-restful's shape, `{"message": {"name": "why"}}`.
  static func parameter(_ name: String, _ problem: String) -> APIError {
    APIError(status: .badRequest, body: .parameters([name: problem]), kind: .invalid)
  }

  private init(status: HTTPResponse.Status, body: Body, kind: ErrorKind) {
    self.status = status
    self.body = body
    self.kind = kind
  }

  /// A 400 with upstream's `ERROR:` prefix.
  static func badRequest(_ message: String) -> APIError { APIError(.badRequest, "ERROR: \(message)") }

  /// What a PVCKit error means for a client: the status of its kind (see
  /// ``ErrorKind``), upstream's `ERROR:` prefix, and the kind named in a header.
  static func from(_ error: any Error) -> APIError {
    if let error = error as? APIError { return error }
    let kind = ErrorKind(of: error)
    let text =
      error is ZooKeeperError && kind == .unavailable
      ? "the cluster's ZooKeeper is not available: \(error)" : "\(error)"
    var answer = APIError(HTTPResponse.Status(code: kind.httpStatus), "ERROR: \(text)")
    answer.kind = kind
    return answer
  }

  /// The kind of failure, as PVCKit's HTTP client reads it back.
  var kind: ErrorKind

  /// The header naming the kind.
  static let kindHeader = HTTPField.Name("X-PVCKit-Error")!
}
