import PVCKit

/// The provisioner's page: profiles, templates, userdata documents and scripts, each with a form to add one
/// and a button to remove one (asked first; refused while a profile uses it), and the OVA images (uploaded with
/// the page's upload form, `pvc provisioner ova upload` or the API) with a button to remove one.
enum ProvisionerPages {
  struct Contents {
    var profiles: [VMProfile]
    var templates: ProvisionerTemplates
    var userdata: [UserdataDocument]
    var scripts: [ProvisionerScript]
    var ovas: [OVAImage]
  }

  static func remove(_ kind: String, _ name: String, session: WebSession) -> HTML {
    Components.button(
      "Remove", action: "/provisioner/remove", fields: [("kind", kind), ("name", name)], csrf: session.csrf,
      style: "danger")
  }

  static func options(_ names: [String], optional: Bool) -> HTML {
    HTML(
      trusted: ((optional ? ["<option value=\"\">(none)</option>"] : [])
        + names.map { ("<option>\($0)</option>" as HTML).markup }).joined())
  }

  /// A create's progress, refreshed every two seconds until it ends.
  static func task(_ task: ClusterTask, session: WebSession, flash: String? = nil) -> HTML {
    let finished = task.state.isFinished
    let percent = task.total > 0 ? min(100, max(0, task.current * 100 / task.total)) : 0
    let vm = (task.arguments["name"] ?? task.arguments["domain"]).flatMap { value -> String? in
      if case .string(let name) = value { return name }
      return nil
    }
    let link: HTML =
      task.state == .success
      ? vm.map { "<p><a href=\"/vms/\(HTML.urlComponent($0))\">Go to VM \($0)</a></p>" } ?? "" : ""
    let cancel: HTML =
      finished || TaskKinds.kind(named: task.name)?.isCancellable != true
      ? ""
      : Components.button(
        "Cancel", action: "/provisioner/cancel", fields: [("task", task.id)], csrf: session.csrf, style: "danger")
    let back: HTML =
      vm.map { "<a href=\"/vms/\(HTML.urlComponent($0))\">Back to VM \($0)</a>" }
      ?? "<a href=\"/provisioner\">Back to the provisioner</a>"
    return PageShell.page(
      "Task \(task.id)", session: session, refresh: finished ? nil : 2, flash: flash,
      """
      <dl class="facts"><dt>What</dt><dd>\(task.name) on \(task.runOn)</dd>\
      <dt>State</dt><dd>\(Components.badge(task.state.rawValue))</dd>\
      <dt>Stage</dt><dd>\(task.current) of \(task.total)</dd></dl>
      <p><progress max="100" value="\(percent)">\(percent)%</progress></p>
      <p role="status">\(task.status)</p>\(link)\(cancel)
      <p>\(back)</p>
      """)
  }

  static func overview(_ contents: Contents, session: WebSession, flash: String?) -> HTML {
    let csrf = Components.csrf(session.csrf)
    let profileRows = contents.profiles.map { profile -> HTML in
      """
      <tr><th scope="row">\(profile.name)</th><td>\(profile.type.rawValue)</td><td>\(profile.systemTemplate)</td>\
      <td>\(profile.networkTemplate)</td><td>\(profile.storageTemplate)</td><td>\(profile.userdata)</td>\
      <td>\(profile.script)</td><td>\(profile.arguments.joined(separator: " "))</td>\
      <td>\(remove("profile", profile.name, session: session))</td></tr>
      """
    }
    let systemRows = contents.templates.systemTemplates.map { template -> HTML in
      """
      <tr><th scope="row">\(template.name)</th><td>\(template.vcpuCount)</td><td>\(template.vramMB)</td>\
      <td>\(template.serial ? "yes" : "no")</td><td>\(template.vnc ? "yes" : "no")</td>\
      <td>\(template.nodeLimit ?? "")</td><td>\(template.migrationMethod ?? "default")</td>\
      <td>\(remove("system", template.name, session: session))</td></tr>
      """
    }
    let networkRows = contents.templates.networkTemplates.map { template -> HTML in
      """
      <tr><th scope="row">\(template.name)</th><td>\(template.macTemplate ?? "")</td>\
      <td>\(template.networks.map(\.vni).joined(separator: ", "))</td>\
      <td>\(remove("network", template.name, session: session))</td></tr>
      """
    }
    let storageRows = contents.templates.storageTemplates.map { template -> HTML in
      let disks = template.disks.map { disk in
        "\(disk.diskID): "
          + (disk.sourceVolume.map { "copy of \(disk.pool)/\($0)" } ?? "\(disk.diskSizeGB ?? 0) GB in \(disk.pool)")
          + (disk.filesystem.map { ", \($0)" } ?? "") + (disk.mountpoint.map { " at \($0)" } ?? "")
      }.joined(separator: "; ")
      return """
        <tr><th scope="row">\(template.name)</th><td>\(disks)</td>\
        <td>\(remove("storage", template.name, session: session))</td></tr>
        """
    }
    let documentRows = { (kind: String, items: [(String, String)]) -> [HTML] in
      items.map { name, text in
        """
        <tr><th scope="row">\(name)</th><td><pre>\(String(text.prefix(2000)))</pre></td>\
        <td>\(remove(kind, name, session: session))</td></tr>
        """
      }
    }
    let ovaRows = contents.ovas.map { ova -> HTML in
      let disks = ova.volumes.map { "\($0.diskID): \($0.pool)/\($0.volumeName) (\($0.diskSizeGB) GB)" }
      return """
        <tr><th scope="row">\(ova.name)</th><td>\(disks.joined(separator: "; "))</td>\
        <td>\(remove("ova", ova.name, session: session))</td></tr>
        """
    }
    let systems = contents.templates.systemTemplates.map(\.name)
    let networks = contents.templates.networkTemplates.map(\.name)
    let storages = contents.templates.storageTemplates.map(\.name)
    func table(_ headers: [String], _ rows: [HTML], none: String) -> HTML {
      guard !rows.isEmpty else { return "<p>\(none)</p>" }
      let head = HTML(trusted: headers.map { ("<th scope=\"col\">\($0)</th>" as HTML).markup }.joined())
      return "<table><thead><tr>\(head)<th scope=\"col\"></th></tr></thead><tbody>\(rows)</tbody></table>"
    }
    return PageShell.page(
      "Provisioner", session: session, flash: flash,
      """
      <h2>Create a VM</h2>
      <form method="post" action="/provisioner/create" class="stacked">\(csrf)\
      <label for="vm_name">Name</label><input id="vm_name" name="name">\
      <label for="vm_profile">Profile</label><select id="vm_profile" name="profile">\(options(contents.profiles.map(\.name), optional: false))</select>\
      <label for="vm_args">Script arguments (key=value, one a line)</label><textarea id="vm_args" name="args" rows="2"></textarea>\
      <label><input type="checkbox" name="start" value="true" checked> Start it</label>\
      <button type="submit">Create</button></form>
      <h2>Profiles</h2>\
      \(table(["Name", "Type", "System", "Network", "Storage", "Userdata", "Script", "Arguments"], profileRows, none: "No profiles."))
      <form method="post" action="/provisioner/profiles" class="stacked">\(csrf)\
      <label for="profile">Name</label><input id="profile" name="name">\
      <label for="system_template">System template</label><select id="system_template" name="system_template">\(options(systems, optional: false))</select>\
      <label for="network_template">Network template</label><select id="network_template" name="network_template">\(options(networks, optional: true))</select>\
      <label for="storage_template">Storage template</label><select id="storage_template" name="storage_template">\(options(storages, optional: true))</select>\
      <label for="userdata">Userdata</label><select id="userdata" name="userdata">\(options(contents.userdata.map(\.name), optional: true))</select>\
      <label for="script">Script</label><select id="script" name="script">\(options(contents.scripts.map(\.name), optional: false))</select>\
      <label for="args">Script arguments (key=value, one a line)</label><textarea id="args" name="args" rows="3"></textarea>\
      <button type="submit">Add profile</button></form>
      <h2>System templates</h2>\
      \(table(["Name", "vCPUs", "Memory MB", "Serial", "VNC", "Node limit", "Migration"], systemRows, none: "No system templates."))
      <form method="post" action="/provisioner/system" class="stacked">\(csrf)\
      <label for="system_name">Name</label><input id="system_name" name="name">\
      <label for="vcpus">vCPUs</label><input id="vcpus" name="vcpus" value="2" inputmode="numeric">\
      <label for="vram">Memory (MB)</label><input id="vram" name="vram" value="2048" inputmode="numeric">\
      <label><input type="checkbox" name="serial" value="true" checked> Serial console</label>\
      <label><input type="checkbox" name="vnc" value="true"> VNC console</label>\
      <label for="node_limit">Node limit (comma-separated)</label><input id="node_limit" name="node_limit">\
      <button type="submit">Add system template</button></form>
      <h2>Network templates</h2>\
      \(table(["Name", "MAC template", "Networks"], networkRows, none: "No network templates."))
      <form method="post" action="/provisioner/network" class="stacked">\(csrf)\
      <label for="network_name">Name</label><input id="network_name" name="name">\
      <label for="mac_template">MAC template</label><input id="mac_template" name="mac_template" placeholder="{prefix}:ff:ff:{vmid}{netid}">\
      <button type="submit">Add network template</button></form>
      <form method="post" action="/provisioner/network-vni" class="stacked">\(csrf)\
      <label for="vni_template">Network template</label><select id="vni_template" name="template">\(options(networks, optional: false))</select>\
      <label for="vni">Network (VNI, upstream, cluster or storage)</label><input id="vni" name="vni">\
      <button type="submit">Add network to template</button></form>
      <h2>Storage templates</h2>\
      \(table(["Name", "Disks"], storageRows, none: "No storage templates."))
      <form method="post" action="/provisioner/storage" class="stacked">\(csrf)\
      <label for="storage_name">Name</label><input id="storage_name" name="name">\
      <button type="submit">Add storage template</button></form>
      <form method="post" action="/provisioner/storage-disk" class="stacked">\(csrf)\
      <label for="disk_template">Storage template</label><select id="disk_template" name="template">\(options(storages, optional: false))</select>\
      <label for="disk_id">Disk</label><input id="disk_id" name="disk_id" placeholder="sda">\
      <label for="pool">Pool</label><input id="pool" name="pool" value="vms">\
      <label for="source_volume">Copy of volume (or a size below)</label><input id="source_volume" name="source_volume">\
      <label for="disk_size">Size (GB)</label><input id="disk_size" name="disk_size" inputmode="numeric">\
      <label for="filesystem">Filesystem</label><input id="filesystem" name="filesystem" placeholder="ext4">\
      <label for="mountpoint">Mountpoint</label><input id="mountpoint" name="mountpoint" placeholder="/">\
      <button type="submit">Add disk to template</button></form>
      <h2>Userdata documents</h2>\
      \(table(["Name", "Document"], documentRows("userdata", contents.userdata.map { ($0.name, $0.userdata) }), none: "No userdata documents."))
      <form method="post" action="/provisioner/userdata" class="stacked">\(csrf)\
      <label for="userdata_name">Name</label><input id="userdata_name" name="name">\
      <label for="userdata_data">Document</label><textarea id="userdata_data" name="data" rows="6">#cloud-config\n</textarea>\
      <button type="submit">Add userdata document</button></form>
      <h2>Scripts</h2>\
      \(table(["Name", "Script"], documentRows("script", contents.scripts.map { ($0.name, $0.script) }), none: "No scripts."))
      <form method="post" action="/provisioner/script" class="stacked">\(csrf)\
      <label for="script_name">Name</label><input id="script_name" name="name">\
      <label for="script_data">Executable (with its #! line)</label><textarea id="script_data" name="data" rows="6">#!/bin/sh\n</textarea>\
      <button type="submit">Add script</button></form>
      <h2>OVA images</h2>\
      \(table(["Name", "Disks"], ovaRows, none: "No OVA images."))
      <form method="post" action="/provisioner-ova/upload" enctype="multipart/form-data" class="stacked">\(csrf)\
      <label for="ova_name">Name</label><input id="ova_name" name="name">\
      <label for="ova_pool">Pool</label><input id="ova_pool" name="pool" value="vms">\
      <label for="ova_file">OVA archive</label><input id="ova_file" name="file" type="file" accept=".ova">\
      <button type="submit">Upload OVA image</button></form>
      <p>Its disks become volumes, and a system template and a profile of its name are made (also \
      <code>pvc provisioner ova upload NAME FILE -p POOL</code>).</p>
      """)
  }
}
