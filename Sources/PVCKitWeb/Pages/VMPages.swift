import PVCKit

/// What the VM list shows: filters, order and page.
struct VMListQuery: Sendable, Hashable {
  var name = ""
  var node = ""
  var state = ""
  var tag = ""
  var sort = "name"
  var descending = false
  var page = 1
  static let pageSize = 100
  static let sortKeys = ["name", "state", "node", "vcpu", "memory"]

  /// The query string for these settings with some changed.
  func link(page: Int? = nil, sort: String? = nil) -> String {
    var copy = self
    if let page { copy.page = page }
    if let sort {
      copy.descending = copy.sort == sort ? !copy.descending : false
      copy.sort = sort
    }
    let pairs: [(String, String)] = [
      ("name", copy.name), ("node", copy.node), ("state", copy.state), ("tag", copy.tag), ("sort", copy.sort),
      ("dir", copy.descending ? "desc" : "asc"), ("page", String(copy.page)),
    ]
    return "/vms?"
      + pairs.filter { !$0.1.isEmpty }.map { "\($0.0)=\(HTML.urlComponent($0.1).markup)" }
      .joined(separator: "&")
  }
}

/// The VM list and a VM's page.
enum VMPages {
  /// Sorts and cuts one page.
  static func page(_ vms: [VMInfo], _ query: VMListQuery) -> (shown: [VMInfo], pages: Int) {
    let sorted = vms.sorted { a, b in
      let ascending: Bool =
        switch query.sort {
        case "state": (a.state.rawValue, a.name) < (b.state.rawValue, b.name)
        case "node": (a.node, a.name) < (b.node, b.name)
        case "vcpu": (a.vcpu, a.name) < (b.vcpu, b.name)
        case "memory": (a.memory, a.name) < (b.memory, b.name)
        default: a.name < b.name
        }
      return query.descending ? !ascending : ascending
    }
    let pages = max(1, (sorted.count + VMListQuery.pageSize - 1) / VMListQuery.pageSize)
    let start = (min(query.page, pages) - 1) * VMListQuery.pageSize
    return (Array(sorted[start..<min(start + VMListQuery.pageSize, sorted.count)]), pages)
  }

  static func list(_ vms: [VMInfo], query: VMListQuery, nodes: [String], session: WebSession, flash: String?) -> HTML {
    let (shown, pages) = page(vms, query)
    let nodeOptions = ([""] + nodes).map { node -> HTML in
      "<option value=\"\(node)\"\(node == query.node ? HTML(" selected") : "")>\(node.isEmpty ? "any" : node)</option>"
    }
    let stateOptions = ([""] + VMState.listable.map(\.rawValue)).map { state -> HTML in
      "<option value=\"\(state)\"\(state == query.state ? HTML(" selected") : "")>\(state.isEmpty ? "any" : state)</option>"
    }
    let headers = VMListQuery.sortKeys.map { key -> HTML in
      let arrow = query.sort == key ? (query.descending ? " ↓" : " ↑") : ""
      return "<th scope=\"col\"><a href=\"\(query.link(page: 1, sort: key))\">\(key.capitalized)\(arrow)</a></th>"
    }
    let pager: HTML =
      pages > 1
      ? """
      <nav aria-label="Pages" class="pager">\
      \(query.page > 1 ? HTML("<a href=\"\(query.link(page: query.page - 1))\" rel=\"prev\">Previous</a>") : "")\
      <span>Page \(min(query.page, pages)) of \(pages)</span>\
      \(query.page < pages ? HTML("<a href=\"\(query.link(page: query.page + 1))\" rel=\"next\">Next</a>") : "")</nav>
      """ : ""
    return PageShell.page(
      "VMs", session: session, refresh: 10, flash: flash,
      """
      \(session.identity.role >= OperationSpec.vmDefine.requiredRole ? HTML("<p><a href=\"/vms/new\">Define a VM</a></p>") : "")\
      <form method="get" action="/vms" class="filters" role="search">\
      <label>Name <input name="name" value="\(query.name)" placeholder="pattern"></label>\
      <label>Node <select name="node">\(nodeOptions)</select></label>\
      <label>State <select name="state">\(stateOptions)</select></label>\
      <label>Tag <input name="tag" value="\(query.tag)"></label>\
      <button type="submit">Filter</button></form>
      <p>\(vms.count) VMs match.</p>
      <table><thead><tr>\(headers)<th scope="col">Tags</th><th scope="col">Actions</th></tr></thead>\
      <tbody>\(shown.map { row($0, session: session) })</tbody></table>\(pager)
      """)
  }

  static func table(_ vms: [VMInfo], session: WebSession) -> HTML {
    guard !vms.isEmpty else { return "<p>None.</p>" }
    return """
      <table><thead><tr><th scope="col">Name</th><th scope="col">State</th><th scope="col">Node</th>\
      <th scope="col">vCPU</th><th scope="col">Memory</th><th scope="col">Tags</th><th scope="col">Actions</th></tr></thead>\
      <tbody>\(vms.map { row($0, session: session) })</tbody></table>
      """
  }

  static func row(_ vm: VMInfo, session: WebSession) -> HTML {
    """
    <tr><th scope="row"><a href="/vms/\(HTML.urlComponent(vm.name))">\(vm.name)</a></th>\
    <td>\(Components.badge(vm.state.rawValue))</td><td>\(vm.node)</td><td>\(vm.vcpu)</td><td>\(vm.memory) MiB</td>\
    <td>\(vm.tags.map(\.name).joined(separator: ", "))</td><td>\(quickActions(vm, session: session))</td></tr>
    """
  }

  static func actionPath(_ vm: VMInfo) -> String { "/vms/\(HTML.urlComponent(vm.name).markup)/action" }

  static func quickActions(_ vm: VMInfo, session: WebSession) -> HTML {
    let running = vm.state == .start
    return Components.button(
      running ? "Stop" : "Start", action: actionPath(vm), fields: [("action", running ? "stop" : "start")],
      csrf: session.csrf)
  }

  static func detail(
    _ vm: VMInfo, nodes: [String], cpu: [Double], memory: [Double], log: String, session: WebSession, flash: String?
  ) -> HTML {
    let path = actionPath(vm)
    let buttons = ["start", "shutdown", "restart", "stop", "disable"].map {
      Components.button($0.capitalized, action: path, fields: [("action", $0)], csrf: session.csrf)
    }
    let targets = nodes.filter { $0 != vm.node }.map { HTML("<option value=\"\($0)\">\($0)</option>") }
    return PageShell.page(
      "VM \(vm.name)", session: session, refresh: 5, flash: flash,
      """
      <dl class="facts"><dt>State</dt><dd>\(Components.badge(vm.state.rawValue))</dd><dt>Node</dt><dd>\(vm.node)</dd>\
      <dt>Previous node</dt><dd>\(vm.lastNode.isEmpty ? "none" : vm.lastNode)</dd><dt>Migrated</dt><dd>\(vm.migrated)</dd>\
      <dt>UUID</dt><dd><code>\(vm.uuid)</code></dd><dt>Description</dt><dd>\(vm.description)</dd>\
      <dt>vCPUs</dt><dd>\(vm.vcpu) (\(vm.vcpuTopology))</dd><dt>Memory</dt><dd>\(vm.memory) MiB</dd>\
      <dt>Node limit</dt><dd>\(vm.nodeLimit?.joined(separator: ", ") ?? "any")</dd>\
      <dt>Selector</dt><dd>\(vm.nodeSelector ?? "cluster default")</dd>\
      <dt>Autostart</dt><dd>\(vm.nodeAutostart ? "yes" : "no")</dd>\
      <dt>Migration</dt><dd>\(vm.migrationMethod ?? "live, falling back to shutdown")</dd>\
      <dt>Tags</dt><dd>\(vm.tags.map { "\($0.name)\($0.protected ? " (protected)" : "")" }.joined(separator: ", "))</dd>\
      <dt>Failure</dt><dd>\(vm.failedReason.isEmpty ? "none" : vm.failedReason)</dd></dl>
      <section aria-labelledby="live"><h2 id="live">Live</h2>\
      \(Components.sparkline(cpu, label: "CPU (% of one core)"))\(Components.sparkline(memory, label: "Memory RSS (MiB)"))</section>
      <section aria-labelledby="actions"><h2 id="actions">Actions</h2><p>\(buttons)</p>\
      <form method="post" action="\(path)" class="inline">\(Components.csrf(session.csrf))\
      <label for="target">Node</label><select id="target" name="target">\(targets)</select>\
      <button type="submit" name="action" value="migrate">Migrate</button>\
      <button type="submit" name="action" value="move">Move</button></form>\
      \(vm.lastNode.isEmpty ? "" : Components.button("Unmigrate", action: path, fields: [("action", "unmigrate")], csrf: session.csrf))</section>
      \(VMSnapshotSection.section(vm, session: session))
      \(VMFormPages.editSection(vm, session: session))
      <section aria-labelledby="console"><h2 id="console">Console log</h2>\(ConsolePage.link(vm, session: session))\
      <pre class="log">\(log)</pre></section>
      <details><summary>Libvirt XML</summary><pre>\(vm.xml)</pre></details>
      """)
  }

  /// Asks before a destructive action; the form repeats the request with `confirm=yes`.
  static func confirm(_ vm: String, action: String, target: String?, session: WebSession) -> HTML {
    let path = "/vms/\(HTML.urlComponent(vm).markup)/action"
    var fields = [("action", action), ("confirm", "yes")]
    if let target { fields.append(("target", target)) }
    return PageShell.page(
      "Confirm", session: session,
      """
      <p>Really \(action) VM <strong>\(vm)</strong>?\(action == "stop" ? " Stopping pulls its plug: unsaved data is lost." : "")</p>
      <p>\(Components.button("Yes, \(action) it", action: path, fields: fields, csrf: session.csrf, style: "danger"))\
      <a href="/vms/\(HTML.urlComponent(vm))">Cancel</a></p>
      """)
  }
}
