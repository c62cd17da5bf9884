import Foundation

extension NodeStorage {
  /// Makes a bluestore OSD on `device` of this node with ceph-volume, starts it, records it under `/ceph/osds`, and
  /// waits until Ceph has it up. Returns what was done.
  func addOSD(device given: String, weight: Double?) async throws -> String {
    // Upstream's detect strings name a disk by model and size; resolved on this node.
    let device =
      DeviceDetection.isDetect(given) ? try DeviceDetection.resolve(given, among: DeviceDetection.disks()) : given
    try Self.checkDevice(device)
    try Self.checkBlockDevice(device, node: node)
    let recorded = try await StorageRecords(zookeeper: zookeeper).osds()
    if let other = recorded.first(where: { $0.node == node && $0.device == device }) {
      throw StorageError.exists("OSD \(other.id) on \(device) of node \(node)")
    }
    let (id, fsid, mode) = try await prepareAndActivate(device: device, reusing: nil)
    try await record(id, device: device, fsid: fsid)
    try await startAndWait(id, device: device, weight: weight)
    return "Added OSD \(id) on \(device) of node \(node) (\(mode.rawValue))."
  }

  /// Moves an OSD of this node to a new device, keeping its ID (upstream's replace): out, emptied, destroyed
  /// (its ID and CRUSH place kept), the old device wiped, the new one prepared with the same ID, started.
  func replaceOSD(_ id: String, newDevice: String, weight: Double?) async throws -> String {
    try Self.checkDevice(newDevice)
    try Self.checkBlockDevice(newDevice, node: node)
    let osd = try await recordedHere(id)
    guard osd.device != newDevice else { throw StorageError.invalid("OSD \(id) is on \(newDevice) already") }
    try await empty(id, force: false)
    await osds.retire(id)
    _ = try await ceph.with {
      try await $0.managerCommand([
        "prefix": "osd destroy", "id": .integer(Int(id) ?? -1), "yes_i_really_mean_it": true,
      ])
    }
    await unmountAndWipe(id, device: osd.device)
    let (_, fsid, mode) = try await prepareAndActivate(device: newDevice, reusing: id)
    let ref = try Layout.osd(id)
    _ = try await zookeeper.multi([.set(ref.path(.device), newDevice), .set(ref.path(.osdFSID), fsid)])
    await osds.reinstate(id)
    try await startAndWait(id, device: newDevice, weight: weight)
    return "Replaced the device of OSD \(id): \(osd.device) → \(newDevice) (\(mode.rawValue))."
  }

  /// Imports an OSD already on a device of this node again (after the node was reinstalled: upstream's refresh):
  /// activated, recorded for this node, started.
  func refreshOSD(_ id: String, device: String) async throws -> String {
    try Self.checkDevice(device)
    try Self.checkBlockDevice(device, node: node)
    let mode = OSDCommands.Mode.available
    let found = try await listed(device, mode: mode)
    guard let found, found.id == id else {
      throw StorageError.invalid("\(device) holds \(found.map { "OSD \($0.id)" } ?? "no OSD"), not OSD \(id)")
    }
    try await activate(device: device, id: id, fsid: found.fsid, mode: mode)
    if try await zookeeper.exists(try Layout.osd(id).path(.root)) == nil {
      try await record(id, device: device, fsid: found.fsid)
    } else {
      let ref = try Layout.osd(id)
      _ = try await zookeeper.multi([.set(ref.path(.node), node), .set(ref.path(.device), device)])
    }
    await osds.reinstate(id)
    try await startAndWait(id, device: device, weight: nil)
    return "Refreshed OSD \(id) on \(device) of node \(node)."
  }

  static func checkDevice(_ device: String) throws {
    guard device.hasPrefix("/dev/"), !device.contains(".."), device.utf8.count <= 255,
      device.allSatisfy({ $0.isLetter || $0.isNumber || "/_-:.".contains($0) })
    else { throw StorageError.invalid("'\(OperationParameter.shown(device))' is not a device path (/dev/...)") }
  }

  static func checkBlockDevice(_ device: String, node: String) throws {
    var info = stat()
    guard stat(device, &info) == 0, info.st_mode & S_IFMT == S_IFBLK else {
      throw StorageError.invalid("\(device) is not a block device on node \(node)")
    }
  }

  /// The record of an OSD of this node.
  private func recordedHere(_ id: String) async throws -> OSDInfo {
    guard let osd = try await StorageRecords(zookeeper: zookeeper).osds().first(where: { $0.id == id }) else {
      throw StorageError.osdNotFound(id)
    }
    guard osd.node == node else { throw StorageError.invalid("OSD \(id) is on node \(osd.node), not \(node)") }
    return osd
  }

  /// ceph-volume prepare (with `reusing`'s ID when replacing) and activate; the OSD's ID and FSID.
  private func prepareAndActivate(device: String, reusing: String?) async throws -> (
    id: String, fsid: String, mode: OSDCommands.Mode
  ) {
    try await writeBootstrapKeyring()
    try OSDCommands.prepareLocalDirectories()
    let mode = OSDCommands.Mode.available
    let prepared = try await Self.volume.run(
      OSDCommands.prepare(device: device, mode: mode, cluster: settings.cluster, id: reusing),
      environment: OSDCommands.environment(settings, device: device), timeout: .seconds(900))
    guard prepared.status == 0 else {
      throw StorageError.invalid("ceph-volume could not prepare \(device): \(prepared.output.suffix(400))")
    }
    guard let found = try await listed(device, mode: mode) else {
      throw StorageError.invalid("ceph-volume prepared \(device) but does not list it")
    }
    try await activate(device: device, id: found.id, fsid: found.fsid, mode: mode)
    return (found.id, found.fsid, mode)
  }

  private static let volume = Command("/usr/sbin/ceph-volume", "/usr/bin/ceph-volume")

  /// The OSD ceph-volume finds on a device.
  private func listed(_ device: String, mode: OSDCommands.Mode) async throws -> (id: String, fsid: String)? {
    let listing = try await Self.volume.run(
      ["--cluster", settings.cluster, mode.rawValue, "list", "--format", "json"],
      environment: OSDCommands.environment(settings, device: device), timeout: .seconds(120))
    return OSDCommands.prepared(listing.output, device: device, mode: mode)
  }

  private func activate(device: String, id: String, fsid: String, mode: OSDCommands.Mode) async throws {
    try OSDCommands.prepareLocalDirectories()
    let activated = try await Self.volume.run(
      OSDCommands.activate(device: device, id: id, fsid: fsid, mode: mode, cluster: settings.cluster),
      environment: OSDCommands.environment(settings, device: device), timeout: .seconds(300))
    guard activated.status == 0 else {
      throw StorageError.invalid("ceph-volume could not activate OSD \(id): \(activated.output.suffix(400))")
    }
  }

  /// The OSD's record, in upstream's layout.
  private func record(_ id: String, device: String, fsid: String) async throws {
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
  }

  /// Starts the OSD's daemon, waits until Ceph has it up, then sets its weight.
  private func startAndWait(_ id: String, device: String, weight: Double?) async throws {
    await osds.start(id)
    let deadline = ContinuousClock.now + .seconds(120)
    while !(try await isUp(id)) {
      guard ContinuousClock.now < deadline else {
        throw StorageError.unavailable("OSD \(id) on \(device) is not up after 2 minutes")
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
  }

  /// Takes a recorded OSD of this node out, waits until Ceph can lose it (unless `force`), stops it, purges it from
  /// Ceph, wipes its device and removes its record.
  func removeOSD(_ id: String, force: Bool) async throws -> String {
    let osd = try await recordedHere(id)
    try await empty(id, force: force)
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
    await unmountAndWipe(id, device: osd.device)
    try await zookeeper.deleteRecursively(try Layout.osd(id).basePath)
    return "Removed OSD \(id) from node \(node)."
  }

  /// Takes the OSD out and waits until Ceph can lose it (not when `force`).
  private func empty(_ id: String, force: Bool) async throws {
    _ = try await ceph.with {
      try await $0.monitorCommand(["prefix": "osd out", "ids": .array([.string(id)])])
    }
    guard !force else { return }
    let deadline = ContinuousClock.now + .seconds(900)
    while true {
      do {
        _ = try await ceph.with {
          try await $0.managerCommand(["prefix": "osd safe-to-destroy", "ids": .array([.string(id)])])
        }
        return
      } catch let error as CephError where ContinuousClock.now < deadline && error.kind != .unavailable {
        try await Task.sleep(for: .seconds(2))
      }
    }
  }

  /// Unmounts the OSD's data directory and wipes the start of its device (the bluestore label: it no longer
  /// looks like an OSD).
  private func unmountAndWipe(_ id: String, device: String) async {
    let data = osds.dataDirectory(id)
    _ = try? await Command("/usr/bin/umount", "/bin/umount").run([data], timeout: .seconds(30))
    try? FileManager.default.removeItem(atPath: data)
    if device.hasPrefix("/dev/") {
      _ = try? await Command("/usr/bin/dd", "/bin/dd").run(
        ["if=/dev/zero", "of=\(device)", "bs=1M", "count=16", "conv=fsync"], timeout: .seconds(120))
    }
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

extension NodeStorage {
  /// Makes upstream's `osd-db` LVM volume group on a device of this node (for OSDs' external databases).
  /// Needs the kernel's device-mapper; refused, saying so, where there is none.
  func createDatabaseVolumeGroup(device: String) async throws -> String {
    try Self.checkDevice(device)
    try Self.checkBlockDevice(device, node: node)
    guard OSDCommands.Mode.available == .lvm else {
      throw StorageError.invalid(
        "node \(node)'s kernel has no device-mapper: LVM, and so an osd-db volume group, cannot be made here")
    }
    for (tool, arguments) in [("pvcreate", ["--force", device]), ("vgcreate", ["osd-db", device])] {
      let outcome = try await Command("/usr/sbin/\(tool)", "/sbin/\(tool)").run(arguments, timeout: .seconds(120))
      guard outcome.status == 0 else {
        throw StorageError.invalid("\(tool) \(device) failed: \(outcome.output.suffix(300))")
      }
    }
    return "Made volume group osd-db on \(device) of node \(node)."
  }
}
