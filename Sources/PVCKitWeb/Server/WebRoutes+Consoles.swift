import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdWebSocket
import PVCKit
import PVCKitServer

extension WebRoutes {
  /// Consoles: `/vms/:vm/console` (the page, with a one-use ticket), its WebSocket `/vms/:vm/console/socket`
  /// (the session cookie, the ticket, the page's own origin), and xterm.js with the page's script.
  func registerConsoles(on router: Router<PVCRequestContext>) {
    router.get("/static/console.js") { _, _ in
      Self.response(ConsoleScript.js, type: "text/javascript; charset=utf-8", cache: true)
    }
    router.get("/static/xterm.js") { _, _ in
      switch XtermBundle.script {
      case .success(let script): return Self.response(script, type: "text/javascript; charset=utf-8", cache: true)
      case .failure(let error):
        // The page's script says the terminal is missing; the reason is in the server's answer.
        var response = Self.response("/* \(error.description) */", type: "text/javascript; charset=utf-8")
        response.status = .notFound
        return response
      }
    }
    router.get("/static/xterm.css") { _, _ in
      Self.response(XtermBundle.css ?? "", type: "text/css; charset=utf-8", cache: true)
    }
    router.get("/vms/:vm/console") { request, context in
      let name = context.parameters.get("vm") ?? ""
      return try await page(request) { session, _ in
        let spec = OperationSpec.vmConsoleAttach
        guard session.identity.role >= spec.requiredRole else {
          throw WebError.badRequest(
            "The \(session.identity.role.rawValue) token '\(session.identity.name)' may not attach to consoles "
              + "(\(spec.requiredRole.rawValue) needed).")
        }
        let vm = try await cluster.vms.info(name)
        guard vm.state == .start else {
          throw WebError.badRequest("VM \(vm.name) is \(vm.state), not running: its console is closed.")
        }
        if case .failure(let error) = XtermBundle.script { throw WebError.badRequest(error.description) }
        let ticket = server.consoleTickets.issue(session: session.id, vm: vm.name)
        let socket = "/vms/\(HTML.urlComponent(vm.name).markup)/console/socket?ticket=\(ticket)"
        return ConsolePage.render(vm, socket: socket, session: session)
      }
    }
    router.ws(
      "/vms/:vm/console/socket",
      shouldUpgrade: { request, context in
        let name = context.parameters.get("vm").map { $0.removingPercentEncoding ?? $0 } ?? ""
        let spec = OperationSpec.vmConsoleAttach
        guard let session = session(request) else { throw HTTPError(.unauthorized, message: "Log in first.") }
        // Only the UI's own pages: a WebSocket handshake carries the cookie from any site.
        guard Self.sameOrigin(request.headers[values: .origin], request: request) else {
          throw HTTPError(.forbidden, message: "A console opens from pvcweb's own pages only.")
        }
        let ticket = RequestParameters(query: request.uri.query).first("ticket") ?? ""
        guard server.consoleTickets.redeem(ticket, session: session.id, vm: name) else {
          throw HTTPError(.forbidden, message: "This console link has expired: open the console page again.")
        }
        guard session.identity.role >= spec.requiredRole else {
          await audit(request, spec, session.identity, method: "GET", status: 403, result: "not allowed")
          throw HTTPError(.forbidden)
        }
        await audit(request, spec, session.identity, method: "GET", status: 101, result: "attached")
        return .upgrade([:])
      },
      onUpgrade: { inbound, outbound, context in
        let name = context.requestContext.parameters.get("vm").map { $0.removingPercentEncoding ?? $0 } ?? ""
        let sessionID = session(context.request)?.id ?? ""
        let sessions = server.sessions
        await ConsoleRelay.attach(name, cluster: cluster, inbound: inbound, outbound: outbound) {
          sessions.isOpen(sessionID) ? nil : "the login session ended"
        }
      })
  }

  /// Whether the `Origin` headers name this server as the browser reached it (scheme, host and port). A browser
  /// sends one, its page's origin; a program may add its own `ws://` one (no page has such an origin, so it
  /// cannot come from another site), but every value must be this server's and at least one a page's.
  static func sameOrigin(_ origins: [String], request: Request) -> Bool {
    guard let authority = request.head.authority, !authority.isEmpty else { return false }
    let pages = ["http://\(authority)", "https://\(authority)"]
    let programs = ["ws://", "wss://"]
    return origins.contains { pages.contains($0) }
      && origins.allSatisfy { origin in pages.contains(origin) || programs.contains { origin.hasPrefix($0) } }
  }
}
