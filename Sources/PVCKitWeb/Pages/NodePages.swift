import PVCKit

/// The nodes list and a node's page.
enum NodePages {
  static func list(_ nodes: [NodeInfo], session: WebSession, flash: String?) -> HTML {
    let rows = nodes.map { node -> HTML in
      """
      <tr><th scope="row"><a href="/nodes/\(HTML.urlComponent(node.name))">\(node.name)</a></th>\
      <td>\(Components.badge(node.daemonState.rawValue))</td><td>\(Components.badge(node.coordinatorState.rawValue))</td>\
      <td>\(Components.badge(node.domainState.rawValue))</td><td>\(Components.format(node.load))</td>\
      <td>\(Components.meter("Memory", used: Double(node.memory.used), total: Double(node.memory.total), unit: "MiB"))</td>\
      <td>\(node.domainsCount)</td><td>\(actions(node, session: session))</td></tr>
      """
    }
    return PageShell.page(
      "Nodes", session: session, refresh: 5, flash: flash,
      """
      <table><thead><tr><th scope="col">Name</th><th scope="col">Daemon</th><th scope="col">Coordinator</th>\
      <th scope="col">Domain</th><th scope="col">Load</th><th scope="col">Memory</th><th scope="col">VMs</th>\
      <th scope="col">Actions</th></tr></thead><tbody>\(rows)</tbody></table>
      """)
  }

  static func detail(_ node: NodeInfo, vms: [VMInfo], session: WebSession, flash: String?) -> HTML {
    PageShell.page(
      "Node \(node.name)", session: session, refresh: 5, flash: flash,
      """
      <dl class="facts"><dt>Daemon</dt><dd>\(Components.badge(node.daemonState.rawValue))</dd>\
      <dt>Coordinator</dt><dd>\(Components.badge(node.coordinatorState.rawValue))</dd>\
      <dt>Domain</dt><dd>\(Components.badge(node.domainState.rawValue))</dd>\
      <dt>Version</dt><dd>\(node.pvcVersion)</dd><dt>Kernel</dt><dd>\(node.kernel)</dd>\
      <dt>CPUs</dt><dd>\(node.cpuCount) (\(node.vcpu.allocated) vCPUs allocated)</dd>\
      <dt>Load</dt><dd>\(Components.format(node.load))</dd>\
      <dt>Health</dt><dd>\(node.health.map { "\($0)%" } ?? "N/A")</dd></dl>
      \(Components.meter("Memory used", used: Double(node.memory.used), total: Double(node.memory.total), unit: "MiB"))
      <p>\(actions(node, session: session))</p>
      <h2>VMs on \(node.name)</h2>\(VMPages.table(vms, session: session))
      """)
  }

  static func actions(_ node: NodeInfo, session: WebSession) -> HTML {
    let path = "/nodes/\(HTML.urlComponent(node.name).markup)/action"
    var buttons: [HTML] = []
    if node.coordinatorState == .secondary {
      buttons.append(
        Components.button("Make primary", action: path, fields: [("action", "primary")], csrf: session.csrf))
    }
    if node.domainState == .ready {
      buttons.append(Components.button("Flush", action: path, fields: [("action", "flush")], csrf: session.csrf))
    } else if node.domainState == .flushed {
      buttons.append(Components.button("Ready", action: path, fields: [("action", "ready")], csrf: session.csrf))
    }
    return "\(buttons)"
  }
}
