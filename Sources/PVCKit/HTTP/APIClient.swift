import Foundation

#if canImport(FoundationNetworking)
  import FoundationNetworking
#endif

/// A client of a PVC HTTP API (pvcapi, or upstream's pvcapid): requests with
/// the API key, parameters as a form or query string, errors from upstream's
/// `{"message": ...}` bodies.
final class APIClient: Sendable {
  let base: URL
  let key: String?
  private let session: URLSession
  /// For requests that wait on the server (an upstream API holds them until the
  /// work is done): no answer for a long time is normal there, as for upstream's client.
  private let waitingSession: URLSession

  init(base: URL, key: String?, timeout: Duration) {
    self.base = base
    self.key = key
    let configuration = URLSessionConfiguration.ephemeral
    configuration.timeoutIntervalForRequest = Double(timeout.components.seconds)
    configuration.timeoutIntervalForResource = 48 * 3600
    session = URLSession(configuration: configuration)
    let waiting = URLSessionConfiguration.ephemeral
    waiting.timeoutIntervalForRequest = 48 * 3600
    waiting.timeoutIntervalForResource = 48 * 3600
    waitingSession = URLSession(configuration: waiting)
  }

  /// A response: its status and body.
  struct Response: Sendable {
    var status: Int
    var body: Data
    /// The kind of failure pvcapi named (`X-PVCKit-Error`); upstream's API names none.
    var errorKind: ErrorKind? = nil

    /// The error for a failed request.
    var refusal: APIClientError { .refused(status, message, kind: errorKind) }

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
        return try UpstreamJSON.decode(T.self, from: body)
      } catch {
        throw APIClientError.badResponse("unexpected answer (\(error))")
      }
    }
  }

  /// Sends a request for operation `spec` with `path` for its path parameters
  /// (in order); `parameters` are checked against the operation's declarations
  /// (an undeclared or unacceptable one fails here, as the server would refuse
  /// it) and go in a form body for POST, PUT and DELETE, else in the query string.
  /// - Parameter waits: the request waits on the server: it asks to follow the work as a task
  ///   (`Prefer: respond-async`) and, should the server hold it instead, is given as long as upstream's client.
  func send(
    _ spec: OperationSpec, _ path: [String] = [], _ parameters: [(String, String)] = [], waits: Bool = false
  ) async throws -> Response {
    let request = try spec.request(path, parameters: parameters)
    return try await send(request.method, request.path, request.parameters, waits: waits)
  }

  private func send(_ method: String, _ path: String, _ parameters: [(String, String)], waits: Bool) async throws
    -> Response
  {
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
    if waits { request.setValue("respond-async", forHTTPHeaderField: "Prefer") }
    if inBody {
      request.setValue("application/x-www-form-urlencoded", forHTTPHeaderField: "Content-Type")
      request.httpBody = Data(encoded.utf8)
    }
    let data: Data
    let response: URLResponse
    do {
      (data, response) = try await (waits ? waitingSession : session).data(for: request)
    } catch {
      throw APIClientError.unreachable(base.absoluteString, "\(error.localizedDescription)")
    }
    let http = response as? HTTPURLResponse
    return Response(
      status: http?.statusCode ?? 0, body: data,
      errorKind: http?.value(forHTTPHeaderField: "X-PVCKit-Error").flatMap(ErrorKind.init(rawValue:)))
  }

  /// Sends a file as the request body (`application/octet-stream`, streamed from disk by URLSession), with the
  /// parameters in the query string; fails unless it answered 2xx.
  func upload(_ spec: OperationSpec, _ path: [String], _ parameters: [(String, String)], file: URL) async throws
    -> Response
  {
    try await sendBody(spec, path, parameters, contentType: "application/octet-stream") { request, session in
      try await session.upload(for: request, fromFile: file)
    }
  }

  /// Sends `body` (of `contentType`) as the request body, with the parameters in the query string; fails unless it
  /// answered 2xx.
  func send(
    _ spec: OperationSpec, _ path: [String], _ parameters: [(String, String)], body: Data, contentType: String
  ) async throws -> Response {
    try await sendBody(spec, path, parameters, contentType: contentType) { request, session in
      try await session.upload(for: request, from: body)
    }
  }

  private func sendBody(
    _ spec: OperationSpec, _ path: [String], _ parameters: [(String, String)], contentType: String,
    _ transfer: (URLRequest, URLSession) async throws -> (Data, URLResponse)
  ) async throws -> Response {
    let checked = try spec.request(path, parameters: parameters)
    let query = checked.parameters.map { "\(Self.escape($0.0))=\(Self.escape($0.1))" }.joined(separator: "&")
    let text =
      base.absoluteString + "/api/v1"
      + checked.path.split(separator: "/").map { "/" + Self.escape(String($0)) }
      .joined() + (query.isEmpty ? "" : "?" + query)
    guard let url = URL(string: text) else { throw APIClientError.badResponse("invalid URL \(text)") }
    var request = URLRequest(url: url)
    request.httpMethod = checked.method
    request.setValue("pvckit-client/\(PVCKitVersion.string)", forHTTPHeaderField: "User-Agent")
    request.setValue(contentType, forHTTPHeaderField: "Content-Type")
    if let key { request.setValue(key, forHTTPHeaderField: "X-Api-Key") }
    let data: Data
    let response: URLResponse
    do {
      (data, response) = try await transfer(request, waitingSession)
    } catch {
      throw APIClientError.unreachable(base.absoluteString, "\(error.localizedDescription)")
    }
    let http = response as? HTTPURLResponse
    let answer = Response(
      status: http?.statusCode ?? 0, body: data,
      errorKind: http?.value(forHTTPHeaderField: "X-PVCKit-Error").flatMap(ErrorKind.init(rawValue:)))
    guard (200..<300).contains(answer.status) else { throw answer.refusal }
    return answer
  }

  /// The task a 202 answer queued (`task_id`), as it is now.
  func acceptedTask(_ response: Response) async throws -> ClusterTask {
    guard
      let id = (try? JSONValue(parsing: String(decoding: response.body, as: UTF8.self))).flatMap({
        StorageStats.text($0, "task_id")
      })
    else { throw APIClientError.badResponse("the API queued work but gave no task_id") }
    return try await HTTPTaskOperations(client: self).task(id)
  }

  /// A listing in upstream's form: empty for its 404 "not found" answer.
  func list<T: Decodable>(
    _ spec: OperationSpec, _ path: [String] = [], _ parameters: [(String, String?)] = []
  ) async throws -> [T] {
    let given = parameters.compactMap { name, value in value.map { (name, $0) } }
    let response = try await send(spec, path, given)
    if response.status == 404 { return [] }
    guard response.status == 200 else { throw response.refusal }
    return try response.decode([T].self)
  }

  /// The element of upstream's one-element list, or `missing`.
  func one<T: Decodable>(_ spec: OperationSpec, _ path: [String], missing: any Error) async throws -> T {
    let found: [T] = try await list(spec, path)
    guard let first = found.first else { throw missing }
    return first
  }

  /// Sends a request and fails unless it answered 2xx.
  func expect(_ spec: OperationSpec, _ path: [String] = [], _ parameters: [(String, String)] = []) async throws
    -> Response
  {
    let response = try await send(spec, path, parameters)
    guard (200..<300).contains(response.status) else { throw response.refusal }
    return response
  }

  /// Sends a request that waits for long work and returns the work's result for people.
  /// A server that queues the work as a task (202 with `task_id`) is followed with
  /// short requests until the task has finished, however long that takes: the
  /// client never gives up while the server is working.
  func waiting(_ spec: OperationSpec, _ path: [String], _ parameters: [(String, String)]) async throws -> String {
    let response = try await send(spec, path, parameters, waits: true)
    guard response.status == 202 else {
      guard (200..<300).contains(response.status) else {
        throw response.refusal
      }
      return response.message
    }
    guard let id = (try? JSONSerialization.jsonObject(with: response.body) as? [String: Any])?["task_id"] as? String
    else { throw APIClientError.badResponse("accepted answer without a task_id") }
    var pause: Duration = .milliseconds(100)
    while true {
      let task = try await expect(.taskInfo, [id]).decode(ClusterTask.self)
      switch task.state {
      case .success: return task.status
      case .failure: throw APIClientError.refused(400, task.status, kind: .failed)
      case .pending, .running:
        try await Task.sleep(for: pause)
        pause = min(pause * 2, .seconds(1))
      }
    }
  }

  static func escape(_ text: String) -> String {
    var allowed = CharacterSet.alphanumerics
    allowed.insert(charactersIn: "-._~")
    return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
  }

  func close() {
    session.invalidateAndCancel()
    waitingSession.invalidateAndCancel()
  }
}

/// An API request failed.
public enum APIClientError: Error, Sendable, Hashable, CustomStringConvertible {
  /// The server could not be reached.
  case unreachable(String, String)
  /// The server refused the request (status and its message).
  case refused(Int, String, kind: ErrorKind? = nil)
  /// The answer could not be understood.
  case badResponse(String)

  public var description: String {
    switch self {
    case .unreachable(let url, let reason): "cannot reach the PVC API at \(url): \(reason)"
    case .refused(_, let message, _): message.hasPrefix("ERROR: ") ? String(message.dropFirst(7)) : message
    case .badResponse(let reason): "the PVC API gave an \(reason)"
    }
  }
}
