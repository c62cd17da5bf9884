import PVCKit

/// Forms that define and edit VMs: a new VM from libvirt XML, a VM's XML replaced, its tags.
enum VMFormPages {
  /// The form for a new VM: its XML (checked by PVCKit when posted), where it runs, and whether it starts.
  static func define(nodes: [String], xml: String = "", session: WebSession, flash: String?) -> HTML {
    let options = ([""] + nodes).map { node -> HTML in
      "<option value=\"\(node)\">\(node.isEmpty ? "the best node" : node)</option>"
    }
    return PageShell.page(
      "Define a VM", session: session, flash: flash,
      """
      <form method="post" action="/vms/new">\(Components.csrf(session.csrf))
      <p><label for="xml">Libvirt domain XML</label><br>\
      <textarea id="xml" name="xml" rows="24" cols="100" spellcheck="false" required>\(xml)</textarea></p>
      <p><label for="node">Node</label> <select id="node" name="node">\(options)</select> \
      <label><input type="checkbox" name="start" value="yes"> start it</label> \
      <label for="tags">Tags</label> <input id="tags" name="tags" placeholder="web, prod"></p>
      <p><button type="submit">Define</button> <a href="/vms">Cancel</a></p></form>
      <p class="muted">The definition is checked before anything is written: well-formed XML, a name and UUID not in
      use, nothing that reaches the host unless the cluster's VM policy allows it.</p>
      """)
  }

  /// The section of a VM's page that edits its definition and tags.
  static func editSection(_ vm: VMInfo, session: WebSession) -> HTML {
    let path = "/vms/\(HTML.urlComponent(vm.name).markup)"
    let tags = vm.tags.map { tag -> HTML in
      let remove: HTML =
        tag.protected
        ? " (protected)"
        : Components.button(
          "Remove", action: "\(path)/tags", fields: [("action", "remove"), ("tag", tag.name)], csrf: session.csrf,
          style: "link")
      return "<li>\(tag.name)\(remove)</li>"
    }
    return """
      <section aria-labelledby="edit"><h2 id="edit">Definition and tags</h2>
      <ul class="tags">\(tags)</ul>
      <form method="post" action="\(path)/tags" class="inline">\(Components.csrf(session.csrf))\
      <input type="hidden" name="action" value="add"><label for="tag">Tag</label> <input id="tag" name="tag" required> \
      <label><input type="checkbox" name="protected" value="yes"> protected</label> <button type="submit">Add tag</button></form>
      <details><summary>Edit the libvirt XML</summary>
      <form method="post" action="\(path)/xml">\(Components.csrf(session.csrf))
      <p><textarea name="xml" rows="24" cols="100" spellcheck="false" required aria-label="Libvirt domain XML">\(vm.xml)</textarea></p>
      <p><label><input type="checkbox" name="restart" value="yes"> restart the VM to apply it now</label> \
      <button type="submit">Save the definition</button></p></form></details>
      \(metadataForm(vm, path: path, session: session))\(deviceForm(path: path, session: session))</section>
      """
  }

  /// The VM's PVC metadata: where it may run, how it is placed and migrated, whether it starts with its node.
  static func metadataForm(_ vm: VMInfo, path: String, session: WebSession) -> HTML {
    let selectors = ([""] + NodeSelector.allCases.filter { $0 != .none }.map(\.rawValue)).map { value -> HTML in
      let label = value.isEmpty ? "cluster default" : value
      let chosen = (vm.nodeSelector ?? "") == value || (value.isEmpty && vm.nodeSelector == "none")
      return "<option value=\"\(value)\"\(chosen ? " selected" : "")>\(label)</option>"
    }
    let methods = MigrationMethod.allCases.map { method -> HTML in
      let label = method == .none ? "live, falling back to shutdown" : method.rawValue
      return
        "<option value=\"\(method.rawValue)\"\((vm.migrationMethod ?? "none") == method.rawValue ? " selected" : "")>\(label)</option>"
    }
    return """
      <details><summary>Edit the placement and migration settings</summary>
      <form method="post" action="\(path)/metadata" class="stack">\(Components.csrf(session.csrf))
      <p><label for="limit">Node limit</label> <input id="limit" name="limit" value="\(vm.nodeLimit?.joined(separator: ",") ?? "")" \
      placeholder="any node (or hv1,hv2)"></p>
      <p><label for="selector">Selector</label> <select id="selector" name="selector">\(selectors)</select> \
      <label><input type="checkbox" name="autostart" value="yes"\(vm.nodeAutostart ? " checked" : "")> start with its node</label></p>
      <p><label for="migration_method">Migration</label> <select id="migration_method" name="migration_method">\(methods)</select> \
      <label for="migration_max_downtime">Most downtime (ms)</label> <input id="migration_max_downtime" name="migration_max_downtime" \
      type="number" min="1" max="100000" value="\(vm.migrationMaxDowntime)"></p>
      <p><button type="submit">Save the settings</button></p></form></details>
      """
  }

  /// Hot-plugging a device from its libvirt XML (a task on the VM's node).
  static func deviceForm(path: String, session: WebSession) -> HTML {
    """
    <details><summary>Attach or detach a device</summary>
    <form method="post" action="\(path)/devices">\(Components.csrf(session.csrf))
    <p><textarea name="xml" rows="6" cols="100" spellcheck="false" required aria-label="Device XML" \
    placeholder="<disk type='network' device='disk'>…</disk>"></textarea></p>
    <p><button type="submit" name="action" value="attach">Attach</button> \
    <button type="submit" name="action" value="detach">Detach</button></p></form></details>
    """
  }
}
