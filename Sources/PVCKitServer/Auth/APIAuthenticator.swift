import Foundation
public import HTTPTypes
public import PVCKit
import Synchronization

/// Checks API keys (`X-Api-Key`) in constant time against the configured
/// tokens, and login sessions (a cookie set by `POST /login`). A request that
/// changes something on the strength of a session cookie must also carry the
/// session's CSRF token in `X-CSRF-Token` (a page of another site can make a
/// browser send the cookie, never that header).
public struct APIAuthenticator: Sendable {
  /// Whether keys are required at all (`api.authentication.enabled`).
  let enabled: Bool
  private let credentials: [(token: [UInt8], identity: Identity)]
  /// The open login sessions.
  public let sessions = SessionStore()
  /// Failed logins, per client.
  public let throttle = LoginThrottle()

  public static let sessionCookie = "pvc_session"
  /// The header carrying a session's CSRF token.
  public static let csrfHeader = HTTPField.Name("X-CSRF-Token")!

  /// Who made a request: the name of the credential (what the audit log records) and its role.
  public struct Identity: Sendable, Hashable {
    public var name: String
    public var role: AccessRole

    public init(name: String, role: AccessRole) {
      self.name = name
      self.role = role
    }

    /// Anyone, when authentication is off (upstream's behaviour: everything allowed).
    public static let unauthenticated = Identity(name: "(authentication off)", role: .administrator)
  }

  /// Creates a checker for the configured tokens: `tokens` are administrators (upstream's kind), named by their
  /// place; `credentials` carry their own names and roles.
  public init(enabled: Bool, tokens: [String], credentials: [APICredential] = []) {
    self.enabled = enabled
    let plain = tokens.enumerated().map { APICredential(token: $1, name: "token \($0 + 1)") }
    self.credentials = (plain + credentials).filter { !$0.token.isEmpty }.map {
      (Array($0.token.utf8), Identity(name: $0.name, role: $0.role))
    }
  }

  /// Why a request may not go on (the status to answer and a message), or `nil` if it may.
  public func refusal(for headers: HTTPFields, method: HTTPRequest.Method) -> (
    status: HTTPResponse.Status, message: String
  )? {
    if case .failure(let refusal) = identify(headers, method: method) { return (refusal.status, refusal.message) }
    return nil
  }

  /// A refused request: the status to answer and why.
  public struct Refusal: Error, Sendable {
    public var status: HTTPResponse.Status
    public var message: String
  }

  /// Who sent a request (its API key, or its login session with the session's CSRF token on changes).
  public func identify(_ headers: HTTPFields, method: HTTPRequest.Method) -> Result<Identity, Refusal> {
    guard enabled else { return .success(.unauthenticated) }
    if let key = headers[HTTPField.Name("X-Api-Key")!] {
      guard let identity = identity(of: key) else {
        return .failure(Refusal(status: .unauthorized, message: "X-Api-Key Authentication failed."))
      }
      return .success(identity)
    }
    guard let session = Self.cookie(Self.sessionCookie, in: headers), let open = sessions.session(session) else {
      return .failure(Refusal(status: .unauthorized, message: "X-Api-Key Authentication required."))
    }
    guard ![.get, .head, .options].contains(method) else { return .success(open.identity) }
    guard let sent = headers[Self.csrfHeader], Self.constantTimeEquals(Array(sent.utf8), Array(open.csrf.utf8)) else {
      return .failure(
        Refusal(
          status: .forbidden,
          message:
            "A request with a login session must send the session's CSRF token (csrf_token of POST /login) in X-CSRF-Token."
        ))
    }
    return .success(open.identity)
  }

  /// Whether a token is one of the configured ones.
  public func isValid(token: String) -> Bool { identity(of: token) != nil }

  /// The identity of a configured token. Every token is compared in full, whatever matches, so the time taken
  /// does not tell how close a guess was.
  public func identity(of token: String) -> Identity? {
    let candidate = Array(token.utf8)
    var matched: Identity?
    for known in credentials where Self.constantTimeEquals(known.token, candidate) {
      matched = matched ?? known.identity
    }
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
  /// An open session: its CSRF token and who opened it.
  public struct Session: Sendable {
    public var csrf: String
    public var identity: APIAuthenticator.Identity
    var lastUse: ContinuousClock.Instant
  }

  private let sessions = Mutex<[String: Session]>([:])
  let lifetime: Duration = .seconds(86_400)

  /// 256 random bits, hexadecimal.
  static func random() -> String {
    var generator = SystemRandomNumberGenerator()
    return (0..<4).map { _ in String(format: "%016llx", generator.next() as UInt64) }.joined()
  }

  /// Opens a session for `identity` and returns its id and CSRF token.
  public func open(for identity: APIAuthenticator.Identity = .unauthenticated) -> (id: String, csrf: String) {
    let session = (id: Self.random(), csrf: Self.random())
    sessions.withLock { sessions in
      let now = ContinuousClock.now
      sessions = sessions.filter { now - $0.value.lastUse < lifetime }
      sessions[session.id] = Session(csrf: session.csrf, identity: identity, lastUse: now)
    }
    return session
  }

  /// An open session (which is kept open), or `nil`.
  public func session(_ id: String) -> Session? {
    sessions.withLock { sessions in
      guard var entry = sessions[id], ContinuousClock.now - entry.lastUse < lifetime else { return nil }
      entry.lastUse = .now
      sessions[id] = entry
      return entry
    }
  }

  /// The CSRF token of an open session (which is kept open), or `nil`.
  public func csrf(of id: String) -> String? { session(id)?.csrf }

  /// Whether the session is open (and keeps it open).
  public func isValid(_ id: String) -> Bool { session(id) != nil }

  /// Closes a session.
  public func close(_ id: String) { _ = sessions.withLock { $0.removeValue(forKey: id) } }
}
