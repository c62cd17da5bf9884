import Foundation
import HTTPTypes
import Hummingbird
import PVCKit

/// Building responses in upstream's shapes.
enum Responses {
  /// A JSON body.
  static func json(_ value: some Encodable, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) throws
    -> Response
  {
    raw(try UpstreamJSON.encode(value), status: status, headers: headers)
  }

  /// `{"message": text}`; a failure also names its kind (the status's, see ``ErrorKind``).
  static func message(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
    var response = (try? json(["message": text], status: status)) ?? Response(status: .internalServerError)
    if status.code >= 400 { response.headers[APIError.kindHeader] = ErrorKind(httpStatus: status.code).rawValue }
    return response
  }

  /// An error as upstream writes it.
  static func error(_ error: APIError) -> Response {
    var response: Response
    switch error.body {
    case .message(let text): response = message(text, status: error.status)
    case .parameters(let problems):
      response = (try? json(["message": problems], status: error.status)) ?? Response(status: .badRequest)
    }
    response.headers[APIError.kindHeader] = error.kind.rawValue
    return response
  }

  /// Bytes with a content type (JSON by default).
  static func raw(
    _ data: Data, status: HTTPResponse.Status = .ok, contentType: String = "application/json",
    headers: HTTPFields = [:]
  ) -> Response {
    var fields = headers
    fields[.contentType] = contentType
    return Response(status: status, headers: fields, body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
  }

  /// Plain text.
  static func text(_ text: String, contentType: String = "text/plain; version=0.0.4; charset=utf-8") -> Response {
    raw(Data(text.utf8), contentType: contentType)
  }
}
