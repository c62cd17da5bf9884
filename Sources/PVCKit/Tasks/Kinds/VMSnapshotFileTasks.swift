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
    let directory = "\(root)/\(info.name)/\(snapshot.name)"
    guard !FileManager.default.fileExists(atPath: directory) else {
      throw TaskError.failed("'\(directory)' exists already on node '\(context.node)'")
    }
    do {
      let disks = snapshot.rbdSnapshots.compactMap(VMSnapshotWork.parts).map { ($0.pool, $0.volume) }
      let (files, total) = try await ExportedVolumes(context: context).export(
        disks, at: snapshot.name, since: arguments.incrementalParent, into: directory, folder: "images")
      let manifest = VMExportManifest(
        type: arguments.incrementalParent == nil ? "full" : "incremental", snapshotName: snapshot.name,
        incrementalParent: arguments.incrementalParent,
        vmDetail: try await VMSnapshotWork.detail(info, at: snapshot.name, context: context), exportFiles: files,
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
    let directory = "\(root)/\(arguments.vm)/\(name)"
    let full = try (base?.manifest ?? manifest).files(disks: detail.rbdDisks).map {
      (file: "\(base?.directory ?? directory)/\($0.path)", pool: $0.pool, volume: $0.volume)
    }
    let diffs =
      base == nil
      ? []
      : try manifest.files(disks: detail.rbdDisks).map {
        (file: "\(directory)/\($0.path)", pool: $0.pool, volume: $0.volume)
      }
    // The snapshots kept: this one and, for an incremental import, its parent.
    let parent = base == nil ? nil : manifest.incrementalParent
    let keep = arguments.retainSnapshot ? [name] + (parent.map { [$0] } ?? []) : []
    let volumes = ExportedVolumes(context: context)
    try await volumes.define(detail, state: .import) {
      let disks = try await volumes.restore(full: full, fullSnapshot: parent ?? name, diffs: diffs, keep: keep)
      guard arguments.retainSnapshot else { return }
      if let base, let parent {
        let parentXML = try VMDetailRecord(base.manifest.vmDetail).xml
        try await VMSnapshotWork.record(parent, of: detail.uuid, xml: parentXML, disks: disks, in: context.zookeeper)
      }
      try await VMSnapshotWork.record(name, of: detail.uuid, xml: detail.xml, disks: disks, in: context.zookeeper)
    }
    return "Successfully imported VM '\(detail.name)' at snapshot '\(name)' from '\(context.node):\(root)'"
  }
}
