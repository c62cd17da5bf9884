import Foundation
import Synchronization

/// Short-lived, single-use tickets for console WebSockets.
///
/// Browsers send cookies with WebSocket handshakes from any site and WebSockets are not bound by CORS, so the
/// session cookie alone would let another site's page open a console. The console page is given a ticket, bound
/// to its session and VM, which the socket must present: another site cannot read the page, so it has no ticket.
/// A ticket is good once, for ``lifetime``.
final class ConsoleTickets: Sendable {
  /// How long a ticket may wait before its socket opens.
  let lifetime: Duration
  /// At most this many tickets wait at once (older ones are dropped first).
  static let limit = 1000
  private let tickets = Mutex<[String: (session: String, vm: String, issued: ContinuousClock.Instant)]>([:])

  init(lifetime: Duration = .seconds(60)) { self.lifetime = lifetime }

  /// A new ticket for `session` to open the console of `vm`.
  func issue(session: String, vm: String) -> String {
    let ticket = WebSessions.random()
    tickets.withLock { tickets in
      let now = ContinuousClock.now
      tickets = tickets.filter { now - $0.value.issued < lifetime }
      if tickets.count >= Self.limit, let oldest = tickets.min(by: { $0.value.issued < $1.value.issued }) {
        tickets.removeValue(forKey: oldest.key)
      }
      tickets[ticket] = (session, vm, now)
    }
    return ticket
  }

  /// Uses up a ticket: whether it was issued to `session` for `vm` and has not expired.
  func redeem(_ ticket: String, session: String, vm: String) -> Bool {
    tickets.withLock { tickets in
      guard let entry = tickets.removeValue(forKey: ticket) else { return false }
      return entry.session == session && entry.vm == vm && ContinuousClock.now - entry.issued < lifetime
    }
  }
}
