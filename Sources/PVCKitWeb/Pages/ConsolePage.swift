import PVCKit

/// A running VM's serial console in the browser (xterm.js over a WebSocket, Assets/ConsoleScript).
enum ConsolePage {
  /// The link to a VM's console, for those who may attach (operators) while it runs.
  static func link(_ vm: VMInfo, session: WebSession) -> HTML {
    guard vm.state == .start, session.identity.role >= OperationSpec.vmConsoleAttach.requiredRole else { return "" }
    return "<p><a href=\"/vms/\(HTML.urlComponent(vm.name))/console\">Open the serial console</a></p>"
  }

  /// The console page; `socket` is the WebSocket's path with its ticket.
  static func render(_ vm: VMInfo, socket: String, session: WebSession) -> HTML {
    PageShell.page(
      "Console of \(vm.name)", session: session, scripts: ["/static/xterm.js", "/static/console.js"],
      styles: ["/static/xterm.css"],
      """
      <p>VM <a href="/vms/\(HTML.urlComponent(vm.name))">\(vm.name)</a> on \(vm.node). Opening the console here \
      takes it over from any other session; it closes when the VM stops or moves.</p>
      <p id="console-status" role="status">Connecting…</p>
      <div id="console" class="console" data-socket="\(socket)"></div>
      <noscript><p class="error">The console needs JavaScript. The VM's console log is on its page.</p></noscript>
      """)
  }
}
