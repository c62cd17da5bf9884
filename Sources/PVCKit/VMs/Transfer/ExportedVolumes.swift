import Foundation

/// A VM's volumes to and from files in rbd's formats, the part snapshot exports, legacy backups and autobackups
/// share: one file per disk, `<directory>/<folder>/<pool>.<volume>.rbdimg` (the whole image) or `.rbddiff` (the
/// changes since a parent snapshot).
struct ExportedVolumes: Sendable {
  let context: TaskContext

  /// A disk file: its path relative to the export's directory, and the volume it holds.
  typealias File = (path: String, pool: String, volume: String)

  /// Writes each disk at `snapshot` (whole, or since `parent`) into `directory/folder`; returns upstream's
  /// `[path, volume size]` list and the bytes written.
  func export(
    _ disks: [(pool: String, volume: String)], at snapshot: String, since parent: String?, into directory: String,
    folder: String
  ) async throws -> (files: [JSONValue], bytes: Int) {
    let rbd = try VMSnapshotWork.rbdTool(context)
    try FileManager.default.createDirectory(atPath: "\(directory)/\(folder)", withIntermediateDirectories: true)
    let sizes = try await context.requireStorage().ceph.with { rados in
      var sizes: [UInt64] = []
      for disk in disks { sizes.append(try await RBDPool(rados, pool: disk.pool).info(disk.volume).size) }
      return sizes
    }
    var files: [JSONValue] = []
    var total = 0
    for (index, disk) in disks.enumerated() {
      let file = "\(folder)/\(disk.pool).\(disk.volume).\(parent == nil ? "rbdimg" : "rbddiff")"
      await context.update(current: index, total: disks.count + 1, status: "Exporting \(disk.pool)/\(disk.volume)")
      if let parent {
        try await rbd.exportDiff(
          pool: disk.pool, volume: disk.volume, from: parent, to: snapshot, file: "\(directory)/\(file)")
      } else {
        try await rbd.export(pool: disk.pool, volume: disk.volume, snapshot: snapshot, to: "\(directory)/\(file)")
      }
      files.append(.array([.string(file), .integer(Int(clamping: sizes[index]))]))
      total += TransferPaths.size("\(directory)/\(file)")
    }
    return (files, total)
  }

  /// Makes the volumes again: each whole image imported (none may exist) and rolled back to `fullSnapshot` (rbd's
  /// format holds the whole image and every snapshot), the diffs applied over it (each makes its end snapshot),
  /// then only the `keep` snapshots stay, recorded. What it made is removed if it fails.
  /// - Returns: the volumes made, `pool/volume`.
  func restore(
    full: [(file: String, pool: String, volume: String)], fullSnapshot: String,
    diffs: [(file: String, pool: String, volume: String)], keep: [String]
  ) async throws -> [String] {
    let storage = try context.directStorage()
    let rbd = try VMSnapshotWork.rbdTool(context)
    let ceph = try context.requireStorage().ceph
    for file in full where (try? await storage.volume(file.volume, pool: file.pool)) != nil {
      throw TaskError.failed("volume \(file.pool)/\(file.volume) exists already; remove it first")
    }
    var made: [(pool: String, volume: String)] = []
    do {
      let steps = full.count + diffs.count
      for (index, file) in full.enumerated() {
        await context.update(current: index, total: steps, status: "Importing \(file.pool)/\(file.volume)")
        try await rbd.importImage(file.file, pool: file.pool, volume: file.volume)
        made.append((file.pool, file.volume))
        try await ceph.with { rados in
          let images = try RBDPool(rados, pool: file.pool)
          try await images.rollback(file.volume, to: fullSnapshot)
          for snapshot in try await images.snapshots(of: file.volume) where snapshot.name != fullSnapshot {
            try await images.removeSnapshot(snapshot.name, of: file.volume)
          }
        }
        try await storage.scanVolume(file.volume, pool: file.pool)
      }
      for (index, file) in diffs.enumerated() {
        await context.update(
          current: full.count + index, total: steps, status: "Applying changes to \(file.pool)/\(file.volume)")
        try await rbd.importDiff(file.file, pool: file.pool, volume: file.volume)
      }
      let imported = made
      try await ceph.with { rados in
        let records = CephSnapshots(rados: rados, zookeeper: context.zookeeper)
        for disk in imported {
          let images = try RBDPool(rados, pool: disk.pool)
          for snapshot in try await images.snapshots(of: disk.volume) where !keep.contains(snapshot.name) {
            try await images.removeSnapshot(snapshot.name, of: disk.volume)
          }
          for snapshot in keep { try await records.record(snapshot, volume: disk.volume, pool: disk.pool) }
        }
      }
    } catch {
      await remove(made)
      throw error
    }
    return made.map { "\($0.pool)/\($0.volume)" }
  }

  /// Removes volumes with their snapshots and records (after a failure).
  func remove(_ volumes: [(pool: String, volume: String)]) async {
    guard let ceph = try? context.requireStorage().ceph else { return }
    try? await ceph.with { rados in
      let records = CephVolumes(rados: rados, zookeeper: context.zookeeper)
      for disk in volumes { try? await records.removeDisk(disk.volume, pool: disk.pool) }
    }
  }

  /// A new VM from its detail, in `state`, with its volumes made by `volumes`; started at the end, as upstream's
  /// imports and restores do. A failure removes the VM.
  func define(_ detail: VMDetailRecord, state: VMState, volumes: () async throws -> Void) async throws {
    let byName = try? await context.vms.info(detail.name)
    let byUUID = try? await context.vms.info(detail.uuid)
    if byName != nil || byUUID != nil {
      throw TaskError.failed("VM '\(detail.name)' (\(detail.uuid)) exists already; remove it first")
    }
    let nodes = Set(try await context.nodes.list().map(\.name))
    _ = try await context.vms.define(detail.definition(initialState: state, knownNodes: nodes))
    do {
      try await volumes()
      try await context.vms.setState(detail.uuid, .start, force: true, wait: false)
    } catch {
      await context.update(current: 0, total: 1, status: "Removing what failed")
      try? await context.vms.remove(detail.uuid, deleteDisks: false)
      throw error
    }
  }
}
