import Foundation
import PVCKitServer
import Synchronization

/// A logged-in browser: its session id (in an HttpOnly cookie), the token
/// every form must send back (CSRF protection), and who logged in (the token's
/// name and role).
struct WebSession: Sendable, Hashable {
  var id: String
  var csrf: String
  var identity: APIAuthenticator.Identity = .unauthenticated
}

/// The open sessions, valid for twelve hours after their last use.
final class WebSessions: Sendable {
  private let sessions = Mutex<[String: (session: WebSession, lastUse: ContinuousClock.Instant)]>([:])
  let lifetime: Duration = .seconds(12 * 3600)
  static let cookie = "pvcweb_session"
  /// The login form's CSRF cookie.
  static let loginCookie = "pvcweb_login"

  /// Opens a session for `identity`.
  func open(for identity: APIAuthenticator.Identity) -> WebSession {
    let session = WebSession(id: Self.random(), csrf: Self.random(), identity: identity)
    sessions.withLock { sessions in
      let now = ContinuousClock.now
      sessions = sessions.filter { now - $0.value.lastUse < lifetime }
      sessions[session.id] = (session, now)
    }
    return session
  }

  /// The session with this id, if open (and keeps it open).
  func session(_ id: String) -> WebSession? {
    sessions.withLock { sessions in
      guard let entry = sessions[id], ContinuousClock.now - entry.lastUse < lifetime else { return nil }
      sessions[id] = (entry.session, .now)
      return entry.session
    }
  }

  /// Whether a session is open (without counting this as a use).
  func isOpen(_ id: String) -> Bool {
    sessions.withLock { sessions in
      guard let entry = sessions[id] else { return false }
      return ContinuousClock.now - entry.lastUse < lifetime
    }
  }

  /// Closes a session.
  func close(_ id: String) { _ = sessions.withLock { $0.removeValue(forKey: id) } }

  static func random() -> String {
    var generator = SystemRandomNumberGenerator()
    return (0..<4).map { _ in String(format: "%016llx", generator.next() as UInt64) }.joined()
  }
}
