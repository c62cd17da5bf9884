import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdWebSocket
import PVCKit
import PVCKitServer

/// The two consoles of a running VM in the browser.
enum WebConsoleKind: String, CaseIterable, Sendable {
  /// The serial console (xterm.js).
  case serial = "console"
  /// The graphical console (noVNC over the VM's VNC server).
  case graphics = "vnc"

  /// The operation it carries out (and the role it needs).
  var spec: OperationSpec { self == .serial ? .vmConsoleAttach : .vmGraphicsAttach }

  /// Opens it.
  func open(_ vm: String, cluster: PVCCluster) async throws -> VMConsole {
    self == .serial ? try await cluster.vms.openConsole(vm) : try await cluster.vms.openGraphics(vm)
  }
}

extension WebRoutes {
  /// Consoles: `/vms/:vm/console` and `/vms/:vm/vnc` (the pages, each with a one-use ticket), their WebSockets
  /// `…/socket` (the session cookie, the ticket, the page's own origin), and the scripts: xterm.js, noVNC and
  /// the pages' own.
  func registerConsoles(on router: Router<PVCRequestContext>) {
    registerConsoleAssets(on: router)
    for kind in WebConsoleKind.allCases {
      router.get("/vms/:vm/\(kind.rawValue)") { request, context in
        let name = context.parameters.get("vm") ?? ""
        return try await page(request) { session, _ in
          let spec = kind.spec
          guard session.identity.role >= spec.requiredRole else {
            throw WebError.badRequest(
              "The \(session.identity.role.rawValue) token '\(session.identity.name)' may not attach to consoles "
                + "(\(spec.requiredRole.rawValue) needed).")
          }
          let vm = try await cluster.vms.info(name)
          guard vm.state == .start else {
            throw WebError.badRequest("VM \(vm.name) is \(vm.state), not running: its consoles are closed.")
          }
          if kind == .serial, case .failure(let error) = XtermBundle.script {
            throw WebError.badRequest(error.description)
          }
          let ticket = server.consoleTickets.issue(session: session.id, vm: "\(kind.rawValue):\(vm.name)")
          let socket = "/vms/\(HTML.urlComponent(vm.name).markup)/\(kind.rawValue)/socket?ticket=\(ticket)"
          return ConsolePage.render(vm, kind: kind, socket: socket, session: session)
        }
      }
      router.ws(
        RouterPath("/vms/:vm/\(kind.rawValue)/socket"),
        shouldUpgrade: { request, context in
          let name = context.parameters.get("vm").map { $0.removingPercentEncoding ?? $0 } ?? ""
          let spec = kind.spec
          guard let session = session(request) else { throw HTTPError(.unauthorized, message: "Log in first.") }
          // Only the UI's own pages: a WebSocket handshake carries the cookie from any site.
          guard Self.sameOrigin(request.headers[values: .origin], request: request) else {
            throw HTTPError(.forbidden, message: "A console opens from pvcweb's own pages only.")
          }
          let ticket = RequestParameters(query: request.uri.query).first("ticket") ?? ""
          guard server.consoleTickets.redeem(ticket, session: session.id, vm: "\(kind.rawValue):\(name)") else {
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
          let (sessions, clusters) = (server.sessions, server.clusters)
          // The socket runs outside the request's handling: the login's chosen cluster is looked up again.
          let chosen = sessions.chosenCluster(of: sessionID)
          await ConsoleRelay.attach(
            { try await kind.open(name, cluster: try await clusters.cluster(named: chosen)) }, inbound: inbound,
            outbound: outbound
          ) {
            sessions.isOpen(sessionID) ? nil : "the login session ended"
          }
        })
    }
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
