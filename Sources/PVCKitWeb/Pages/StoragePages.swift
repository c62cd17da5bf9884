import PVCKit

/// The storage pages: the overview (Ceph's health, each pool's space, OSDs,
/// volumes with the VMs that use them, forms for the common actions) and a
/// volume's page (its facts, snapshots, resize, copy, removal).
enum StoragePages {
  /// Which VMs use each volume (`pool/volume`).
  static func users(_ vms: [VMInfo]) -> [String: [String]] {
    var users: [String: [String]] = [:]
    for vm in vms {
      for disk in vm.disks where disk.type == "rbd" { users[disk.name, default: []].append(vm.name) }
    }
    return users
  }

  /// Links to VMs, comma-separated (a dash for none).
  static func links(_ vms: [String]) -> HTML {
    guard !vms.isEmpty else { return "—" }
    return HTML(
      trusted: vms.map { ("<a href=\"/vms/\(HTML.urlComponent($0))\">\($0)</a>" as HTML).markup }.joined(
        separator: ", "))
  }

  static func overview(
    status: StorageReport, pools: [PoolInfo], volumes: [VolumeInfo], osds: [OSDInfo], vms: [VMInfo],
    session: WebSession, flash: String?
  ) -> HTML {
    let health =
      status.cephData.split(separator: "\n").first { $0.contains("health:") }.map {
        $0.split(separator: ":", maxSplits: 1).last.map { String($0).trimmingCharacters(in: .whitespaces) } ?? ""
      } ?? "unknown"
    let meters = pools.map { pool -> HTML in
      let stored = Double(pool.stat("stored_bytes")) / Double(1 << 30)
      let free = Double(pool.stat("free_bytes")) / Double(1 << 30)
      return Components.meter("Pool \(pool.name)", used: stored, total: stored + free, unit: "GiB")
    }
    let poolRows = pools.map { pool -> HTML in
      """
      <tr><th scope="row">\(pool.name)</th><td>\(pool.tier)</td><td>\(pool.pgs)</td><td>\(pool.volumeCount)</td>\
      <td>\(StorageRules.human(UInt64(max(0, pool.stat("stored_bytes")))))</td>\
      <td>\(StorageRules.human(UInt64(max(0, pool.stat("free_bytes")))))</td>\
      <td>\(Components.button("Remove", action: "/storage/pools/\(HTML.urlComponent(pool.name).markup)/remove", csrf: session.csrf, style: "danger"))</td></tr>
      """
    }
    let osdRows = osds.map { osd -> HTML in
      let next = osd.isIn ? "out" : "in"
      return """
        <tr><th scope="row">\(osd.id)</th><td>\(osd.node)</td><td>\(osd.device)</td>\
        <td>\(Components.badge(osd.isUp ? "up" : "down"))</td><td>\(osd.isIn ? "in" : "out")</td>\
        <td>\(osd.statText("used") ?? "—") / \(osd.statText("avail") ?? "—")</td>\
        <td>\(Components.button("Take \(next)", action: "/storage/osds/\(HTML.urlComponent(osd.id).markup)/state", fields: [("state", next)], csrf: session.csrf))</td></tr>
        """
    }
    let used = users(vms)
    let volumeRows = volumes.map { volume -> HTML in
      let link = HTML(
        trusted: "/storage/volumes/\(HTML.urlComponent(volume.pool).markup)/\(HTML.urlComponent(volume.name).markup)")
      let vmLinks = links(used[volume.path] ?? [])
      return """
        <tr><th scope="row"><a href="\(link)">\(volume.name)</a></th><td>\(volume.pool)</td>\
        <td>\(StorageRules.human(volume.size))</td><td>\(vmLinks)</td></tr>
        """
    }
    let poolOptions = pools.map { "<option>\($0.name)</option>" as HTML }
    return PageShell.page(
      "Storage", session: session, refresh: 10, flash: flash,
      """
      <dl class="facts"><dt>Ceph health</dt><dd>\(Components.badge(health))</dd>\
      <dt>Recorded by</dt><dd>\(status.primaryNode)</dd></dl>
      \(meters.isEmpty ? "" : "<div class=\"meters\">\(meters)</div>" as HTML)
      <h2>Pools</h2>\
      \(pools.isEmpty ? "<p>No pools.</p>" : """
        <table><thead><tr><th scope="col">Name</th><th scope="col">Tier</th><th scope="col">PGs</th>\
        <th scope="col">Volumes</th><th scope="col">Stored</th><th scope="col">Free</th><th scope="col"></th></tr></thead>\
        <tbody>\(poolRows)</tbody></table>
        """ as HTML)
      <h2>Volumes</h2>\
      \(volumes.isEmpty ? "<p>No volumes.</p>" : """
        <table><thead><tr><th scope="col">Name</th><th scope="col">Pool</th><th scope="col">Size</th>\
        <th scope="col">Used by</th></tr></thead><tbody>\(volumeRows)</tbody></table>
        """ as HTML)
      <h2>OSDs</h2>\
      \(osds.isEmpty ? "<p>No OSDs recorded.</p>" : """
        <table><thead><tr><th scope="col">ID</th><th scope="col">Node</th><th scope="col">Device</th>\
        <th scope="col">Up</th><th scope="col">In</th><th scope="col">Used / free</th><th scope="col"></th></tr></thead>\
        <tbody>\(osdRows)</tbody></table>
        """ as HTML)
      <h2>Add a volume</h2>
      <form method="post" action="/storage/volumes" class="stacked">\(Components.csrf(session.csrf))\
      <label for="pool">Pool</label><select id="pool" name="pool">\(poolOptions)</select>\
      <label for="volume">Name</label><input id="volume" name="volume">\
      <label for="size">Size</label><input id="size" name="size" placeholder="10G">\
      <button type="submit">Add volume</button></form>
      <h2>Add a pool</h2>
      <form method="post" action="/storage/pools" class="stacked">\(Components.csrf(session.csrf))\
      <label for="pool_name">Name</label><input id="pool_name" name="pool">\
      <label for="pgs">Placement groups</label><input id="pgs" name="pgs" value="64">\
      <label for="replcfg">Replication</label><input id="replcfg" name="replcfg" value="copies=3,mincopies=2">\
      <button type="submit">Add pool</button></form>
      <h2>Ceph status</h2><pre>\(status.cephData)</pre>
      """)
  }

  static func volume(
    _ volume: VolumeInfo, snapshots: [VolumeSnapshotInfo], users: [String], session: WebSession, flash: String?
  ) -> HTML {
    let base = "/storage/volumes/\(HTML.urlComponent(volume.pool).markup)/\(HTML.urlComponent(volume.name).markup)"
    let rows = snapshots.map { snapshot -> HTML in
      let fields = [("snapshot", snapshot.snapshot)]
      return """
        <tr><th scope="row">\(snapshot.snapshot)</th>\
        <td>\(Components.button("Roll back", action: "\(base)/snapshots/rollback", fields: fields, csrf: session.csrf))\
        \(Components.button("Remove", action: "\(base)/snapshots/remove", fields: fields, csrf: session.csrf, style: "danger"))</td></tr>
        """
    }
    let vmLinks = links(users)
    return PageShell.page(
      "Volume \(volume.path)", session: session, flash: flash,
      """
      <dl class="facts"><dt>Pool</dt><dd>\(volume.pool)</dd><dt>Size</dt><dd>\(StorageRules.human(volume.size))</dd>\
      <dt>Objects</dt><dd>\(volume.stat("objects"))</dd><dt>Used by</dt>\
      <dd>\(vmLinks)</dd></dl>
      <h2>Snapshots</h2>\
      \(snapshots.isEmpty ? "<p>None.</p>" : """
        <table><thead><tr><th scope="col">Name</th><th scope="col"></th></tr></thead><tbody>\(rows)</tbody></table>
        """ as HTML)
      <form method="post" action="\(base)/snapshot" class="stacked">\(Components.csrf(session.csrf))\
      <label for="snapshot">Snapshot name</label><input id="snapshot" name="snapshot">\
      <button type="submit">Take snapshot</button></form>
      <h2>Resize</h2>
      <form method="post" action="\(base)/resize" class="stacked">\(Components.csrf(session.csrf))\
      <label for="size">New size</label><input id="size" name="size" placeholder="20G">\
      <button type="submit">Resize</button></form>
      <h2>Copy</h2>
      <form method="post" action="\(base)/clone" class="stacked">\(Components.csrf(session.csrf))\
      <label for="new_volume">New volume</label><input id="new_volume" name="new_volume">\
      <button type="submit">Copy</button></form>
      <p>\(Components.button("Remove volume", action: "\(base)/remove", csrf: session.csrf, style: "danger"))</p>
      """)
  }
}
