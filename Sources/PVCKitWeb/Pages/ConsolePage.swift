import PVCKit

/// A running VM's consoles in the browser: the serial console (xterm.js) and the graphical one (noVNC), each
/// over a WebSocket of pvcweb (Assets/ConsoleScript).
enum ConsolePage {
  /// The links to a VM's consoles, for those who may attach (operators) while it runs; the graphical one when it
  /// has VNC graphics.
  static func link(_ vm: VMInfo, session: WebSession) -> HTML {
    guard vm.state == .start, session.identity.role >= OperationSpec.vmConsoleAttach.requiredRole else { return "" }
    let name = HTML.urlComponent(vm.name)
    let vnc: HTML =
      (vm.vnc.port ?? "").isEmpty ? "" : " · <a href=\"/vms/\(name)/vnc\">Open the graphical console (VNC)</a>"
    return "<p><a href=\"/vms/\(name)/console\">Open the serial console</a>\(vnc)</p>"
  }

  /// A console page; `socket` is the WebSocket's path with its ticket.
  static func render(_ vm: VMInfo, kind: WebConsoleKind, socket: String, session: WebSession) -> HTML {
    let intro: HTML = """
      <p>VM <a href="/vms/\(HTML.urlComponent(vm.name))">\(vm.name)</a> on \(vm.node). Opening a console here \
      takes it over from any other session; it closes when the VM stops or moves.</p>
      """
    switch kind {
    case .serial:
      return PageShell.page(
        "Console of \(vm.name)", session: session, scripts: ["/static/xterm.js", "/static/console.js"],
        styles: ["/static/xterm.css"],
        """
        \(intro)<p id="console-status" role="status">Connecting…</p>
        <div id="console" class="console" data-socket="\(socket)"></div>
        <noscript><p class="error">The console needs JavaScript. The VM's console log is on its page.</p></noscript>
        """)
    case .graphics:
      return PageShell.page(
        "Graphical console of \(vm.name)", session: session, scripts: ["/static/vnc.mjs"],
        """
        \(intro)<p id="vnc-status" role="status">Connecting…</p>
        <div id="vnc" class="vnc" data-socket="\(socket)"></div>
        <noscript><p class="error">The console needs JavaScript.</p></noscript>
        """)
    }
  }
}
