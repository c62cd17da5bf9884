import Foundation
import HTTPTypes
import Hummingbird

/// Building responses in upstream's shapes.
enum Responses {
  /// A JSON body.
  static func json(_ value: some Encodable, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) throws
    -> Response
  {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    return raw(try encoder.encode(value), status: status, headers: headers)
  }

  /// `{"message": text}`.
  static func message(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
    (try? json(["message": text], status: status)) ?? Response(status: .internalServerError)
  }

  /// An error as upstream writes it.
  static func error(_ error: APIError) -> Response {
    switch error.body {
    case .message(let text): return message(text, status: error.status)
    case .parameters(let problems):
      return (try? json(["message": problems], status: error.status)) ?? Response(status: .badRequest)
    }
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
