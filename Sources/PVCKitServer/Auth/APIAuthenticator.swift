import Foundation
public import HTTPTypes
import Synchronization

/// Checks API keys (`X-Api-Key`) in constant time against the configured
/// tokens, and login sessions (a cookie set by `POST /login`). A request that
/// changes something on the strength of a session cookie must also carry the
/// session's CSRF token in `X-CSRF-Token` (a page of another site can make a
/// browser send the cookie, never that header).
public struct APIAuthenticator: Sendable {
  /// Whether keys are required at all (`api.authentication.enabled`).
  let enabled: Bool
  private let tokens: [[UInt8]]
  /// The open login sessions.
  public let sessions = SessionStore()
  /// Failed logins, per client.
  public let throttle = LoginThrottle()

  public static let sessionCookie = "pvc_session"
  /// The header carrying a session's CSRF token.
  public static let csrfHeader = HTTPField.Name("X-CSRF-Token")!

  /// Creates a checker for the configured tokens.
  public init(enabled: Bool, tokens: [String]) {
    self.enabled = enabled
    self.tokens = tokens.filter { !$0.isEmpty }.map { Array($0.utf8) }
  }

  /// Why a request may not go on (the status to answer and a message), or `nil` if it may.
  public func refusal(for headers: HTTPFields, method: HTTPRequest.Method) -> (
    status: HTTPResponse.Status, message: String
  )? {
    guard enabled else { return nil }
    if let key = headers[HTTPField.Name("X-Api-Key")!] {
      return isValid(token: key) ? nil : (.unauthorized, "X-Api-Key Authentication failed.")
    }
    guard let session = Self.cookie(Self.sessionCookie, in: headers), let csrf = sessions.csrf(of: session) else {
      return (.unauthorized, "X-Api-Key Authentication required.")
    }
    guard ![.get, .head, .options].contains(method) else { return nil }
    guard let sent = headers[Self.csrfHeader], Self.constantTimeEquals(Array(sent.utf8), Array(csrf.utf8)) else {
      return (
        .forbidden,
        "A request with a login session must send the session's CSRF token (csrf_token of POST /login) in X-CSRF-Token."
      )
    }
    return nil
  }

  /// Whether a token is one of the configured ones. Every token is compared in
  /// full, whatever matches, so the time taken does not tell how close a guess was.
  public func isValid(token: String) -> Bool {
    let candidate = Array(token.utf8)
    var matched = false
    for known in tokens where Self.constantTimeEquals(known, candidate) { matched = true }
    return matched
  }

  /// Compares two byte strings in time that depends only on their lengths.
  public static func constantTimeEquals(_ a: [UInt8], _ b: [UInt8]) -> Bool {
    var difference = UInt8(truncatingIfNeeded: a.count ^ b.count)
    for index in 0..<max(a.count, b.count) {
      let x = index < a.count ? a[index] : 0
      let y = index < b.count ? b[index] : 0
      difference |= x ^ y
    }
    return difference == 0 && a.count == b.count
  }

  /// A cookie's value from the `Cookie` header.
  public static func cookie(_ name: String, in headers: HTTPFields) -> String? {
    for header in headers[values: .cookie] {
      for pair in header.split(separator: ";") {
        let parts = pair.trimmingCharacters(in: .whitespaces).split(separator: "=", maxSplits: 1)
        if parts.count == 2, parts[0] == name { return String(parts[1]) }
      }
    }
    return nil
  }
}

/// Login sessions: random ids, each with its CSRF token, valid for a day after their last use.
public final class SessionStore: Sendable {
  private let sessions = Mutex<[String: (csrf: String, lastUse: ContinuousClock.Instant)]>([:])
  let lifetime: Duration = .seconds(86_400)

  /// 256 random bits, hexadecimal.
  static func random() -> String {
    var generator = SystemRandomNumberGenerator()
    return (0..<4).map { _ in String(format: "%016llx", generator.next() as UInt64) }.joined()
  }

  /// Opens a session and returns its id and CSRF token.
  public func open() -> (id: String, csrf: String) {
    let session = (id: Self.random(), csrf: Self.random())
    sessions.withLock { sessions in
      let now = ContinuousClock.now
      sessions = sessions.filter { now - $0.value.lastUse < lifetime }
      sessions[session.id] = (session.csrf, now)
    }
    return session
  }

  /// The CSRF token of an open session (which is kept open), or `nil`.
  public func csrf(of id: String) -> String? {
    sessions.withLock { sessions in
      guard let entry = sessions[id], ContinuousClock.now - entry.lastUse < lifetime else { return nil }
      sessions[id] = (entry.csrf, .now)
      return entry.csrf
    }
  }

  /// Whether the session is open (and keeps it open).
  public func isValid(_ id: String) -> Bool { csrf(of: id) != nil }

  /// Closes a session.
  public func close(_ id: String) { _ = sessions.withLock { $0.removeValue(forKey: id) } }
}
