import Foundation
public import HTTPTypes
import Synchronization

/// Checks API keys (`X-Api-Key`) in constant time against the configured
/// tokens, and login sessions (a cookie set by `POST /login`).
public struct APIAuthenticator: Sendable {
  /// Whether keys are required at all (`api.authentication.enabled`).
  let enabled: Bool
  private let tokens: [[UInt8]]
  /// The open login sessions.
  public let sessions = SessionStore()

  static let sessionCookie = "pvc_session"

  /// Creates a checker for the configured tokens.
  public init(enabled: Bool, tokens: [String]) {
    self.enabled = enabled
    self.tokens = tokens.filter { !$0.isEmpty }.map { Array($0.utf8) }
  }

  /// Why a request may not go on, or `nil` if it may.
  func refusal(for headers: HTTPFields) -> APIError? {
    guard enabled else { return nil }
    if let session = Self.cookie(Self.sessionCookie, in: headers), sessions.isValid(session) { return nil }
    guard let key = headers[HTTPField.Name("X-Api-Key")!] else {
      return APIError(.unauthorized, "X-Api-Key Authentication required.")
    }
    return isValid(token: key) ? nil : APIError(.unauthorized, "X-Api-Key Authentication failed.")
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

/// Login sessions: random ids, valid for a day after their last use.
public final class SessionStore: Sendable {
  private let sessions = Mutex<[String: ContinuousClock.Instant]>([:])
  let lifetime: Duration = .seconds(86_400)

  /// Opens a session and returns its id.
  public func open() -> String {
    var generator = SystemRandomNumberGenerator()
    let id = (0..<4).map { _ in String(format: "%016llx", generator.next() as UInt64) }.joined()
    sessions.withLock { sessions in
      let now = ContinuousClock.now
      sessions = sessions.filter { now - $0.value < lifetime }
      sessions[id] = now
    }
    return id
  }

  /// Whether the session is open (and keeps it open).
  public func isValid(_ id: String) -> Bool {
    sessions.withLock { sessions in
      guard let last = sessions[id], ContinuousClock.now - last < lifetime else { return false }
      sessions[id] = .now
      return true
    }
  }

  /// Closes a session.
  public func close(_ id: String) { _ = sessions.withLock { $0.removeValue(forKey: id) } }
}
