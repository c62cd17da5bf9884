import Foundation

extension NodeStorage {
  /// Makes a bluestore OSD on `device` of this node with ceph-volume, starts it, records it under `/ceph/osds`, and
  /// waits until Ceph has it up. Returns what was done.
  func addOSD(device: String, weight: Double?) async throws -> String {
    guard device.hasPrefix("/dev/"), !device.contains(".."), device.utf8.count <= 255,
      device.allSatisfy({ $0.isLetter || $0.isNumber || "/_-:.".contains($0) })
    else { throw StorageError.invalid("'\(OperationParameter.shown(device))' is not a device path (/dev/...)") }
    var info = stat()
    guard stat(device, &info) == 0, info.st_mode & S_IFMT == S_IFBLK else {
      throw StorageError.invalid("\(device) is not a block device on node \(node)")
    }
    let recorded = try await StorageRecords(zookeeper: zookeeper).osds()
    if let other = recorded.first(where: { $0.node == node && $0.device == device }) {
      throw StorageError.exists("OSD \(other.id) on \(device) of node \(node)")
    }
    let cluster = settings.cluster
    try await writeBootstrapKeyring()
    let mode = OSDCommands.Mode.available
    try OSDCommands.prepareLocalDirectories()
    let environment = OSDCommands.environment(settings, device: device)
    let volume = Command("/usr/sbin/ceph-volume", "/usr/bin/ceph-volume")
    let prepared = try await volume.run(
      OSDCommands.prepare(device: device, mode: mode, cluster: cluster), environment: environment,
      timeout: .seconds(900))
    guard prepared.status == 0 else {
      throw StorageError.invalid("ceph-volume could not prepare \(device): \(prepared.output.suffix(400))")
    }
    let listing = try await volume.run(
      ["--cluster", cluster, mode.rawValue, "list", "--format", "json"], environment: environment,
      timeout: .seconds(120))
    guard let (id, fsid) = OSDCommands.prepared(listing.output, device: device, mode: mode) else {
      throw StorageError.invalid("ceph-volume prepared \(device) but does not list it: \(listing.output.suffix(300))")
    }
    let activated = try await volume.run(
      OSDCommands.activate(device: device, id: id, fsid: fsid, mode: mode, cluster: cluster),
      environment: environment, timeout: .seconds(300))
    guard activated.status == 0 else {
      throw StorageError.invalid("ceph-volume could not activate OSD \(id): \(activated.output.suffix(400))")
    }
    let clusterFSID = try await ceph.with { try await $0.monitorJSON(["prefix": "fsid"]) }
    let ref = try Layout.osd(id)
    try await zookeeper.ensurePath(Layout.base.path(.osds))
    _ = try await zookeeper.multi([
      .create(ref.path(.root), id), .create(ref.path(.node), node), .create(ref.path(.device), device),
      .create(ref.path(.dbDevice), ""), .create(ref.path(.fsid), ""), .create(ref.path(.osdFSID), fsid),
      .create(ref.path(.clusterFSID), StorageStats.text(clusterFSID, "fsid") ?? ""), .create(ref.path(.lvm), ""),
      .create(ref.path(.volumeGroup), ""), .create(ref.path(.logicalVolume), ""), .create(ref.path(.isSplit), "False"),
      .create(ref.path(.stats), "{}"),
    ])
    await osds.start(id)
    let deadline = ContinuousClock.now + .seconds(120)
    while !(try await isUp(id)) {
      guard ContinuousClock.now < deadline else {
        throw StorageError.unavailable("OSD \(id) was made on \(device) but is not up after 2 minutes")
      }
      try await Task.sleep(for: .seconds(1))
    }
    // Its CRUSH entry exists once it has booted.
    if let weight {
      _ = try await ceph.with {
        try await $0.monitorCommand([
          "prefix": "osd crush reweight", "name": .string("osd.\(id)"), "weight": .number(weight),
        ])
      }
    }
    return "Added OSD \(id) on \(device) of node \(node) (\(mode.rawValue))."
  }

  /// Takes a recorded OSD of this node out, waits until Ceph can lose it (unless `force`), stops it, purges it from
  /// Ceph, wipes its device and removes its record.
  func removeOSD(_ id: String, force: Bool) async throws -> String {
    guard let osd = try await StorageRecords(zookeeper: zookeeper).osds().first(where: { $0.id == id }) else {
      throw StorageError.osdNotFound(id)
    }
    guard osd.node == node else { throw StorageError.invalid("OSD \(id) is on node \(osd.node), not \(node)") }
    _ = try await ceph.with {
      try await $0.monitorCommand(["prefix": "osd out", "ids": .array([.string(id)])])
    }
    if !force {
      let deadline = ContinuousClock.now + .seconds(900)
      while true {
        do {
          _ = try await ceph.with {
            try await $0.managerCommand(["prefix": "osd safe-to-destroy", "ids": .array([.string(id)])])
          }
          break
        } catch let error as CephError where ContinuousClock.now < deadline && error.kind != .unavailable {
          try await Task.sleep(for: .seconds(2))
        }
      }
    }
    await osds.retire(id)
    do {
      _ = try await ceph.with {
        try await $0.managerCommand([
          "prefix": "osd purge", "id": .integer(Int(id) ?? -1), "yes_i_really_mean_it": true,
        ])
      }
    } catch let error as CephError where force {
      logger.warning("storage: purging OSD \(id) failed, removed anyway (force): \(error)")
    }
    let data = osds.dataDirectory(id)
    _ = try? await Command("/usr/bin/umount", "/bin/umount").run([data], timeout: .seconds(30))
    try? FileManager.default.removeItem(atPath: data)
    if osd.device.hasPrefix("/dev/") {
      // The bluestore label and the start of the data: the device no longer looks like an OSD.
      _ = try? await Command("/usr/bin/dd", "/bin/dd").run(
        ["if=/dev/zero", "of=\(osd.device)", "bs=1M", "count=16", "conv=fsync"], timeout: .seconds(120))
    }
    try await zookeeper.deleteRecursively(try Layout.osd(id).basePath)
    return "Removed OSD \(id) from node \(node)."
  }

  /// Whether Ceph has the OSD up.
  func isUp(_ id: String) async throws -> Bool {
    let dump = try await ceph.with { try await $0.monitorJSON(["prefix": "osd dump"]) }
    guard case .array(let entries)? = StorageStats.field(dump, "osds") else { return false }
    return entries.contains {
      String(StorageStats.number($0, "osd")) == id && StorageStats.number($0, "up") == 1
    }
  }

  /// `client.bootstrap-osd`'s keyring where ceph-volume looks for it.
  private func writeBootstrapKeyring() async throws {
    let keyring = try await ceph.with {
      try await $0.monitorCommand([
        "prefix": "auth get-or-create", "entity": "client.bootstrap-osd",
        "caps": .array(["mon", "allow profile bootstrap-osd"]),
      ]).output
    }
    let directory = "/var/lib/ceph/bootstrap-osd"
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    let path = "\(directory)/\(settings.cluster).keyring"
    FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600])
    try keyring.write(toFile: path, atomically: false, encoding: .utf8)
  }
}
