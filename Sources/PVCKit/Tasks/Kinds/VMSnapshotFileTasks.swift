import Foundation

/// What a snapshot export is given (upstream's `vm.export_snapshot` arguments).
public struct VMSnapshotExportArguments: Codable, Sendable, Hashable {
  public var vm: String
  public var snapshot: String
  /// An absolute directory on the primary coordinator.
  public var path: String
  /// A snapshot the export holds only the changes since (an incremental export).
  public var incrementalParent: String?

  public init(vm: String, snapshot: String, path: String, incrementalParent: String? = nil) {
    self.vm = vm
    self.snapshot = snapshot
    self.path = path
    self.incrementalParent = incrementalParent
  }

  enum CodingKeys: String, CodingKey {
    case vm = "domain"
    case snapshot = "snapshot_name"
    case path = "export_path"
    case incrementalParent = "incremental_parent"
  }
}

/// What a snapshot import is given (upstream's `vm.import_snapshot` arguments).
public struct VMSnapshotImportArguments: Codable, Sendable, Hashable {
  /// The VM's name: its directory under `path`.
  public var vm: String
  public var snapshot: String
  public var path: String
  /// Keep the imported snapshot (and an incremental's parent) as snapshots of the new VM.
  public var retainSnapshot: Bool

  public init(vm: String, snapshot: String, path: String, retainSnapshot: Bool = true) {
    self.vm = vm
    self.snapshot = snapshot
    self.path = path
    self.retainSnapshot = retainSnapshot
  }

  enum CodingKeys: String, CodingKey {
    case vm = "domain"
    case snapshot = "snapshot_name"
    case path = "import_path"
    case retainSnapshot = "retain_snapshot"
  }
}

/// Exports and imports run on the primary, where the files are (upstream's rule).
extension TaskKind where Arguments == VMSnapshotExportArguments {
  public static func node(for arguments: Arguments, in placement: TaskPlacement) async throws -> String {
    try await placement.nodes.requirePrimary()
  }
}

extension TaskKind where Arguments == VMSnapshotImportArguments {
  public static func node(for arguments: Arguments, in placement: TaskPlacement) async throws -> String {
    try await placement.nodes.requirePrimary()
  }
}

/// `vm.export_snapshot`: a whole-VM snapshot written to files in upstream's layout,
/// `<path>/<vm>/<snapshot>/{snapshot.json, images/<pool>.<volume>.rbdimg|.rbddiff}`, by rbd itself (export format
/// 2 for a full export, a diff from the parent for an incremental one). A failure removes the directory it made.
public enum VMSnapshotExportTask: TaskKind {
  public typealias Arguments = VMSnapshotExportArguments
  public static let name = "vm.export_snapshot"

  public static func run(_ arguments: Arguments, context: TaskContext) async throws -> String {
    let root = try TransferPaths.directory(arguments.path, "Target path", node: context.node)
    let info = try await context.vms.info(arguments.vm)
    let snapshot = try VMSnapshotWork.snapshot(try VMSnapshotWork.checked(arguments.snapshot), of: info)
    if let parent = arguments.incrementalParent {
      _ = try VMSnapshotWork.snapshot(try VMSnapshotWork.checked(parent), of: info)
    }
    let rbd = try VMSnapshotWork.rbdTool(context)
    let directory = "\(root)/\(info.name)/\(snapshot.name)"
    guard !FileManager.default.fileExists(atPath: directory) else {
      throw TaskError.failed("'\(directory)' exists already on node '\(context.node)'")
    }
    try FileManager.default.createDirectory(atPath: directory + "/images", withIntermediateDirectories: true)
    do {
      let disks = snapshot.rbdSnapshots.compactMap(VMSnapshotWork.parts)
      let sizes = try await context.requireStorage().ceph.with { rados in
        var sizes: [UInt64] = []
        for disk in disks { sizes.append(try await RBDPool(rados, pool: disk.pool).info(disk.volume).size) }
        return sizes
      }
      var files: [JSONValue] = []
      var total = 0
      for (index, disk) in disks.enumerated() {
        let file = "images/\(disk.pool).\(disk.volume).\(arguments.incrementalParent == nil ? "rbdimg" : "rbddiff")"
        await context.update(current: index, total: disks.count + 1, status: "Exporting \(disk.pool)/\(disk.volume)")
        if let parent = arguments.incrementalParent {
          try await rbd.exportDiff(
            pool: disk.pool, volume: disk.volume, from: parent, to: snapshot.name, file: "\(directory)/\(file)")
        } else {
          try await rbd.export(
            pool: disk.pool, volume: disk.volume, snapshot: snapshot.name, to: "\(directory)/\(file)")
        }
        files.append(.array([.string(file), .integer(Int(clamping: sizes[index]))]))
        total += TransferPaths.size("\(directory)/\(file)")
      }
      let xml = try await context.zookeeper.string(
        try Layout.domainSnapshot(snapshot.name, domain: info.uuid).path(.xml))
      var detail = info
      if let xml, !xml.isEmpty { detail.xml = xml }
      let manifest = VMExportManifest(
        type: arguments.incrementalParent == nil ? "full" : "incremental", snapshotName: snapshot.name,
        incrementalParent: arguments.incrementalParent,
        vmDetail: try JSONDecoder().decode(JSONValue.self, from: JSONEncoder().encode(detail)), exportFiles: files,
        exportSizeBytes: total)
      try JSONEncoder().encode(manifest).write(to: URL(fileURLWithPath: directory + "/snapshot.json"))
    } catch {
      try? FileManager.default.removeItem(atPath: directory)
      throw error
    }
    return "Successfully exported snapshot '\(snapshot.name)' of VM '\(info.name)' to '\(root)'"
  }
}

/// `vm.import_snapshot`: a VM brought back from an export (full, or incremental over its full parent in the
/// directory beside it): its volumes made by rbd from the files and rolled back to the exported snapshot (rbd's
/// export format holds the whole image as it was when exported; upstream keeps that), recorded, the VM defined from
/// the export's detail and started, as upstream does. With `retain_snapshot`, the snapshot (and an incremental's parent) stay as
/// the new VM's snapshots; otherwise every snapshot the images brought is removed. A failure removes what it made.
public enum VMSnapshotImportTask: TaskKind {
  public typealias Arguments = VMSnapshotImportArguments
  public static let name = "vm.import_snapshot"

  public static func run(_ arguments: Arguments, context: TaskContext) async throws -> String {
    try VMName.check(arguments.vm)
    let name = try VMSnapshotWork.checked(arguments.snapshot)
    let root = try TransferPaths.directory(arguments.path, "Source path", node: context.node)
    if (try? await context.vms.info(arguments.vm)) != nil {
      throw TaskError.failed("VM '\(arguments.vm)' exists already; remove it before importing a snapshot")
    }
    let manifest = try VMExportManifest.read(in: "\(root)/\(arguments.vm)/\(name)")
    let detail = try VMDetailRecord(manifest.vmDetail)
    if (try? await context.vms.info(detail.uuid)) != nil {
      throw TaskError.failed("a VM with UUID \(detail.uuid) exists already; remove it before importing a snapshot")
    }
    // An incremental export stands on its full parent, in the directory named after the parent.
    var base: (manifest: VMExportManifest, directory: String)? = nil
    if manifest.type == "incremental" {
      guard let parent = manifest.incrementalParent else {
        throw TaskError.failed("the export is incremental but names no parent")
      }
      let directory = "\(root)/\(arguments.vm)/\(try VMSnapshotWork.checked(parent))"
      let parentManifest = try VMExportManifest.read(in: directory)
      guard parentManifest.type == "full" else {
        throw TaskError.failed("the parent export \(parent) is not a full export")
      }
      base = (parentManifest, directory)
    }
    let fullFiles = try (base?.manifest ?? manifest).files(disks: detail.rbdDisks)
    let diffFiles = base == nil ? [] : try manifest.files(disks: detail.rbdDisks)
    let storage = try context.directStorage()
    let rbd = try VMSnapshotWork.rbdTool(context)
    for file in fullFiles where (try? await storage.volume(file.volume, pool: file.pool)) != nil {
      throw TaskError.failed("volume \(file.pool)/\(file.volume) exists already; remove it before importing")
    }

    let nodes = Set(try await context.nodes.list().map(\.name))
    let definition = detail.definition(initialState: .import, knownNodes: nodes)
    _ = try await context.vms.define(definition)
    var made: [(pool: String, volume: String)] = []
    do {
      let step = fullFiles.count + diffFiles.count + 1
      // rbd's export format 2 holds the whole image (every snapshot and the data as it was when exported): the
      // volume goes back to the full export's snapshot, and only that snapshot stays for a diff to start from.
      let fullSnapshot = base == nil ? name : (manifest.incrementalParent ?? name)
      let ceph = try context.requireStorage().ceph
      for (index, file) in fullFiles.enumerated() {
        await context.update(current: index, total: step, status: "Importing \(file.pool)/\(file.volume)")
        try await rbd.importImage(
          "\(base?.directory ?? "\(root)/\(arguments.vm)/\(name)")/\(file.path)", pool: file.pool,
          volume: file.volume)
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
      for (index, file) in diffFiles.enumerated() {
        await context.update(
          current: fullFiles.count + index, total: step, status: "Applying changes to \(file.pool)/\(file.volume)")
        try await rbd.importDiff("\(root)/\(arguments.vm)/\(name)/\(file.path)", pool: file.pool, volume: file.volume)
      }
      // The snapshots kept: this one and, for an incremental import, its parent; any other the images brought goes.
      let kept = arguments.retainSnapshot ? [name] + (manifest.incrementalParent.map { [$0] } ?? []) : []
      let disks = made.map { "\($0.pool)/\($0.volume)" }
      let imported = made
      try await ceph.with { rados in
        for disk in imported {
          let images = try RBDPool(rados, pool: disk.pool)
          for snapshot in try await images.snapshots(of: disk.volume) where !kept.contains(snapshot.name) {
            try await images.removeSnapshot(snapshot.name, of: disk.volume)
          }
          for snapshot in kept {
            try await CephSnapshots(rados: rados, zookeeper: context.zookeeper)
              .record(snapshot, volume: disk.volume, pool: disk.pool)
          }
        }
      }
      if arguments.retainSnapshot {
        if let base, let parent = manifest.incrementalParent {
          let parentXML = try VMDetailRecord(base.manifest.vmDetail).xml
          try await VMSnapshotWork.record(parent, of: detail.uuid, xml: parentXML, disks: disks, in: context.zookeeper)
        }
        try await VMSnapshotWork.record(name, of: detail.uuid, xml: detail.xml, disks: disks, in: context.zookeeper)
      }
      try await context.vms.setState(detail.uuid, .start, force: true, wait: false)
    } catch {
      await context.update(current: 0, total: 1, status: "Removing what the failed import made")
      try? await context.vms.remove(detail.uuid, deleteDisks: false)
      if let ceph = try? context.requireStorage().ceph {
        let made = made
        try? await ceph.with { rados in
          let volumes = CephVolumes(rados: rados, zookeeper: context.zookeeper)
          for disk in made { try? await volumes.removeDisk(disk.volume, pool: disk.pool) }
        }
      }
      throw error
    }
    return "Successfully imported VM '\(detail.name)' at snapshot '\(name)' from '\(context.node):\(root)'"
  }
}
