import Foundation
import PVCKit
import PVCKitServer
import Synchronization

/// A logged-in browser: its session id (in an HttpOnly cookie), the token
/// every form must send back (CSRF protection), and who logged in (the token's
/// name and role).
struct WebSession: Sendable, Hashable {
  var id: String
  var csrf: String
  var identity: APIAuthenticator.Identity = .unauthenticated
  /// The tasks this browser started that are under way or finished lately (filled in for each page, which shows
  /// their progress).
  var tasks: [ClusterTask] = []
  /// The cluster its pages show, when this UI shows several (filled in for each page).
  var clusterName: String?
}

/// The open sessions, valid for twelve hours after their last use.
final class WebSessions: Sendable {
  private let sessions = Mutex<[String: (session: WebSession, lastUse: ContinuousClock.Instant)]>([:])
  /// The cluster each session chose (absent: the own cluster).
  private let chosen = Mutex<[String: String]>([:])
  /// The ids of the tasks each session started, newest last (at most ``startedLimit``).
  private let started = Mutex<[String: [String]]>([:])
  static let startedLimit = 10
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
  func close(_ id: String) {
    _ = sessions.withLock { $0.removeValue(forKey: id) }
    _ = started.withLock { $0.removeValue(forKey: id) }
    _ = chosen.withLock { $0.removeValue(forKey: id) }
  }

  /// Makes the session's pages show the cluster of this name.
  func choose(cluster name: String, for session: String) {
    chosen.withLock { chosen in
      chosen[session] = name
      if chosen.count > 1000 {
        let open = sessions.withLock { Set($0.keys) }
        chosen = chosen.filter { open.contains($0.key) }
      }
    }
  }

  /// The cluster a session chose, if any.
  func chosenCluster(of session: String) -> String? { chosen.withLock { $0[session] } }

  /// Remembers that a session started a task (its pages show the task's progress).
  func started(_ task: String, by session: String) {
    started.withLock { started in
      var ids = started[session, default: []].filter { $0 != task }
      ids.append(task)
      started[session] = Array(ids.suffix(Self.startedLimit))
      // Sessions that closed by expiring leave their lists behind: drop those.
      if started.count > 1000 {
        let open = sessions.withLock { Set($0.keys) }
        started = started.filter { open.contains($0.key) }
      }
    }
  }

  /// The ids of the tasks a session started.
  func startedTasks(of session: String) -> [String] { started.withLock { $0[session] ?? [] } }

  static func random() -> String {
    var generator = SystemRandomNumberGenerator()
    return (0..<4).map { _ in String(format: "%016llx", generator.next() as UInt64) }.joined()
  }
}
