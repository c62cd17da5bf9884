import Foundation

#if canImport(FoundationNetworking)
  import FoundationNetworking
#endif

/// A client of a PVC HTTP API (pvcapi, or upstream's pvcapid): requests with
/// the API key, parameters as a form or query string, errors from upstream's
/// `{"message": ...}` bodies.
final class APIClient: Sendable {
  let base: URL
  private let key: String?
  private let session: URLSession

  init(base: URL, key: String?, timeout: Duration) {
    self.base = base
    self.key = key
    let configuration = URLSessionConfiguration.ephemeral
    configuration.timeoutIntervalForRequest = Double(timeout.components.seconds)
    configuration.timeoutIntervalForResource = 48 * 3600
    session = URLSession(configuration: configuration)
  }

  /// A response: its status and body.
  struct Response: Sendable {
    var status: Int
    var body: Data

    /// The `message` of upstream's `{"message": "..."}` body (or of a parameter error).
    var message: String {
      guard let object = try? JSONSerialization.jsonObject(with: body) as? [String: Any] else {
        return String(decoding: body.prefix(300), as: UTF8.self)
      }
      if let text = object["message"] as? String { return text }
      if let problems = object["message"] as? [String: String] {
        return problems.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: "; ")
      }
      return String(decoding: body.prefix(300), as: UTF8.self)
    }

    /// Decodes a JSON body.
    func decode<T: Decodable>(_ type: T.Type) throws -> T {
      do {
        return try JSONDecoder().decode(T.self, from: body)
      } catch {
        throw APIClientError.badResponse("unexpected answer (\(error))")
      }
    }
  }

  /// Sends a request; `parameters` go in a form body for POST, PUT and DELETE, else in the query string.
  func send(_ method: String, _ path: String, _ parameters: [(String, String)] = []) async throws -> Response {
    let encoded = parameters.map { "\(Self.escape($0.0))=\(Self.escape($0.1))" }.joined(separator: "&")
    let inBody = method != "GET" && !parameters.isEmpty
    var text =
      base.absoluteString + "/api/v1"
      + path.split(separator: "/").map { Self.escape(String($0)) }.reduce("") {
        $0 + "/" + $1
      }
    if path.hasSuffix("/") || path.isEmpty { text += "/" }
    if !inBody && !encoded.isEmpty { text += "?" + encoded }
    guard let url = URL(string: text) else { throw APIClientError.badResponse("invalid URL \(text)") }
    var request = URLRequest(url: url)
    request.httpMethod = method
    request.setValue("pvckit-client/\(PVCKitVersion.string)", forHTTPHeaderField: "User-Agent")
    if let key { request.setValue(key, forHTTPHeaderField: "X-Api-Key") }
    if inBody {
      request.setValue("application/x-www-form-urlencoded", forHTTPHeaderField: "Content-Type")
      request.httpBody = Data(encoded.utf8)
    }
    let data: Data
    let response: URLResponse
    do {
      (data, response) = try await session.data(for: request)
    } catch {
      throw APIClientError.unreachable(base.absoluteString, "\(error.localizedDescription)")
    }
    let status = (response as? HTTPURLResponse)?.statusCode ?? 0
    return Response(status: status, body: data)
  }

  /// Sends a request and fails unless it answered 2xx.
  func expect(_ method: String, _ path: String, _ parameters: [(String, String)] = []) async throws -> Response {
    let response = try await send(method, path, parameters)
    guard (200..<300).contains(response.status) else { throw APIClientError.refused(response.status, response.message) }
    return response
  }

  static func escape(_ text: String) -> String {
    var allowed = CharacterSet.alphanumerics
    allowed.insert(charactersIn: "-._~")
    return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
  }

  func close() { session.invalidateAndCancel() }
}

/// An API request failed.
public enum APIClientError: Error, Sendable, Hashable, CustomStringConvertible {
  /// The server could not be reached.
  case unreachable(String, String)
  /// The server refused the request (status and its message).
  case refused(Int, String)
  /// The answer could not be understood.
  case badResponse(String)

  public var description: String {
    switch self {
    case .unreachable(let url, let reason): "cannot reach the PVC API at \(url): \(reason)"
    case .refused(_, let message): message.hasPrefix("ERROR: ") ? String(message.dropFirst(7)) : message
    case .badResponse(let reason): "the PVC API gave an \(reason)"
    }
  }
}
