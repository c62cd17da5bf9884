import Foundation

/// What a legacy backup, restore or backup removal is given (upstream's `/vm/<vm>/backup` and `/restore`).
public struct VMBackupArguments: Codable, Sendable, Hashable {
  public var vm: String
  /// An absolute directory on the primary coordinator.
  public var path: String
  /// The backup's date string (`%Y%m%d%H%M%S`) for restores and removals; for a new incremental backup, its
  /// full parent's.
  public var datestring: String?
  public var incrementalParent: String?
  public var retainSnapshot: Bool

  public init(
    vm: String, path: String, datestring: String? = nil, incrementalParent: String? = nil, retainSnapshot: Bool
  ) {
    self.vm = vm
    self.path = path
    self.datestring = datestring
    self.incrementalParent = incrementalParent
    self.retainSnapshot = retainSnapshot
  }

  enum CodingKeys: String, CodingKey {
    case vm = "domain"
    case path = "backup_path"
    case datestring = "backup_datestring"
    case incrementalParent = "incremental_parent"
    case retainSnapshot = "retain_snapshot"
  }
}

extension TaskKind where Arguments == VMBackupArguments {
  public static func node(for arguments: Arguments, in placement: TaskPlacement) async throws -> String {
    try await placement.nodes.requirePrimary()
  }
}

/// Upstream's `pvcbackup.json`, beside a legacy backup's `pvcdisks/`.
struct VMBackupManifest: Codable, Sendable, Hashable {
  var type: String
  var datestring: String
  var incrementalParent: String?
  var retainedSnapshot: Bool
  var result: Bool
  var resultMessage: String
  var runtimeSecs: Double
  var vmDetail: JSONValue?
  var backupFiles: [JSONValue]?
  var backupSizeBytes: Int

  enum CodingKeys: String, CodingKey {
    case type, datestring, result
    case incrementalParent = "incremental_parent"
    case retainedSnapshot = "retained_snapshot"
    case resultMessage = "result_message"
    case runtimeSecs = "runtime_secs"
    case vmDetail = "vm_detail"
    case backupFiles = "backup_files"
    case backupSizeBytes = "backup_size_bytes"
  }

  /// Writes `incremental_parent`, `vm_detail` and `backup_files` as `null` when unset, as upstream does.
  func encode(to encoder: any Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(type, forKey: .type)
    try c.encode(datestring, forKey: .datestring)
    try c.encode(incrementalParent, forKey: .incrementalParent)
    try c.encode(retainedSnapshot, forKey: .retainedSnapshot)
    try c.encode(result, forKey: .result)
    try c.encode(resultMessage, forKey: .resultMessage)
    try c.encode(runtimeSecs, forKey: .runtimeSecs)
    try c.encode(vmDetail, forKey: .vmDetail)
    try c.encode(backupFiles, forKey: .backupFiles)
    try c.encode(backupSizeBytes, forKey: .backupSizeBytes)
  }

  static func read(in directory: String) throws -> VMBackupManifest {
    let path = directory + "/pvcbackup.json"
    guard TransferPaths.size(path) > 0 else { throw TaskError.failed("there is no backup at \(directory)") }
    guard TransferPaths.size(path) <= VMExportManifest.maximumSize else {
      throw TaskError.failed("\(path) is too large")
    }
    do {
      return try JSONDecoder().decode(Self.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
    } catch {
      throw TaskError.failed("\(path) cannot be read: \(error)")
    }
  }

  /// The backup's files as an export's (the same `[path, size]` pairs).
  var files: VMExportManifest {
    VMExportManifest(
      type: type, snapshotName: "backup_" + datestring, incrementalParent: incrementalParent,
      vmDetail: vmDetail ?? .null, exportFiles: backupFiles ?? [], exportSizeBytes: backupSizeBytes)
  }
}

/// Checks of a backup's date string (what names its directory and its RBD snapshots).
enum BackupDates {
  static func checked(_ text: String) throws -> String {
    guard text.count == 14, text.allSatisfy(\.isNumber) else {
      throw VMError.invalidArgument("'\(text)' is not a backup date string (YYYYMMDDhhmmss)")
    }
    return text
  }
}

/// `vm.backup` (upstream's synchronous `POST /vm/<vm>/backup`, here a task on the primary that the route waits
/// for): an RBD snapshot `backup_<date>` of every disk, exported whole or as the changes since a retained parent
/// backup into `<path>/<vm>/<date>/pvcdisks/`, described by `pvcbackup.json` (written whatever the result); the
/// snapshot is removed unless retained for a later incremental.
public enum VMBackupTask: TaskKind {
  public typealias Arguments = VMBackupArguments
  public static let name = "vm.backup"

  public static func run(_ arguments: Arguments, context: TaskContext) async throws -> String {
    let started = ContinuousClock.now
    let root = try TransferPaths.directory(arguments.path, "Backup path", node: context.node)
    let info = try await context.vms.info(arguments.vm)
    if let parent = arguments.incrementalParent {
      _ = try BackupDates.checked(parent)
      guard !arguments.retainSnapshot else {
        throw TaskError.failed("Retaining snapshots of incremental backups is not supported!")
      }
    }
    let date = VMSnapshotWork.defaultName()
    let snapshot = "backup_" + date
    let directory = "\(root)/\(info.name)/\(date)"
    guard !FileManager.default.fileExists(atPath: directory) else { throw TaskError.failed("\(directory) exists") }
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    let disks = try VMSnapshotWork.disks(info)
    let storage = try context.directStorage()
    var manifest = VMBackupManifest(
      type: arguments.incrementalParent == nil ? "full" : "incremental", datestring: date,
      incrementalParent: arguments.incrementalParent, retainedSnapshot: arguments.retainSnapshot, result: false,
      resultMessage: "", runtimeSecs: 0, vmDetail: nil, backupFiles: nil, backupSizeBytes: 0)
    var taken: [(pool: String, volume: String)] = []
    do {
      for disk in disks {
        try await storage.addSnapshot(snapshot, volume: disk.volume, pool: disk.pool)
        taken.append(disk)
      }
      let (files, bytes) = try await ExportedVolumes(context: context).export(
        disks, at: snapshot, since: arguments.incrementalParent.map { "backup_" + $0 }, into: directory,
        folder: "pvcdisks")
      manifest.vmDetail = try JSONDecoder().decode(JSONValue.self, from: JSONEncoder().encode(info))
      (manifest.backupFiles, manifest.backupSizeBytes, manifest.result) = (files, bytes, true)
    } catch {
      manifest.resultMessage = "ERROR in backup \(date): \(error)"
    }
    if !arguments.retainSnapshot || !manifest.result {
      for disk in taken { try? await storage.removeSnapshot(snapshot, volume: disk.volume, pool: disk.pool) }
    }
    manifest.runtimeSecs = ((ContinuousClock.now - started) / .seconds(1) * 100).rounded() / 100
    if manifest.result {
      manifest.resultMessage =
        "Successfully backed up VM '\(info.name)' (\(manifest.type)@\(date)"
        + "\(arguments.retainSnapshot ? ", snapshots retained" : "")) to '\(context.node):\(root)' in "
        + "\(manifest.runtimeSecs)s."
    }
    try JSONEncoder().encode(manifest).write(to: URL(fileURLWithPath: directory + "/pvcbackup.json"))
    guard manifest.result else { throw TaskError.failed(manifest.resultMessage) }
    return manifest.resultMessage
  }
}

/// `vm.remove_backup`: a legacy backup's directory, and its retained RBD snapshots.
public enum VMBackupRemoveTask: TaskKind {
  public typealias Arguments = VMBackupArguments
  public static let name = "vm.remove_backup"

  public static func run(_ arguments: Arguments, context: TaskContext) async throws -> String {
    let started = ContinuousClock.now
    let root = try TransferPaths.directory(arguments.path, "Backup path", node: context.node)
    let info = try await context.vms.info(arguments.vm)
    let date = try BackupDates.checked(arguments.datestring ?? "")
    let directory = "\(root)/\(info.name)/\(date)"
    let manifest = try VMBackupManifest.read(in: directory)
    if manifest.retainedSnapshot {
      let storage = try context.directStorage()
      for disk in try VMSnapshotWork.disks(info) {
        do {
          try await storage.removeSnapshot("backup_" + date, volume: disk.volume, pool: disk.pool)
        } catch StorageError.snapshotNotFound, StorageError.volumeNotFound {
          // Gone already.
        }
      }
    }
    try FileManager.default.removeItem(atPath: directory)
    let seconds = ((ContinuousClock.now - started) / .seconds(1) * 100).rounded() / 100
    return "Removed VM backup \(date) for '\(info.name)' from '\(context.node):\(root)' in \(seconds)s."
  }
}

/// `vm.restore`: a VM made again from a legacy backup (over its full parent for an incremental one), defined in
/// state `restore`, its volumes back at the backup, started. With `retain_snapshot`, the snapshot a later
/// incremental backup needs stays (the full backup's).
public enum VMBackupRestoreTask: TaskKind {
  public typealias Arguments = VMBackupArguments
  public static let name = "vm.restore"

  public static func run(_ arguments: Arguments, context: TaskContext) async throws -> String {
    let started = ContinuousClock.now
    try VMName.check(arguments.vm)
    let root = try TransferPaths.directory(arguments.path, "Backup path", node: context.node)
    let date = try BackupDates.checked(arguments.datestring ?? "")
    let directory = "\(root)/\(arguments.vm)/\(date)"
    let manifest = try VMBackupManifest.read(in: directory)
    guard manifest.result, let detailJSON = manifest.vmDetail else {
      throw TaskError.failed("backup \(date) of \(arguments.vm) did not succeed; it cannot be restored")
    }
    let detail = try VMDetailRecord(detailJSON)
    var parent: (manifest: VMBackupManifest, directory: String)?
    if let parentDate = manifest.incrementalParent {
      let parentDirectory = "\(root)/\(arguments.vm)/\(try BackupDates.checked(parentDate))"
      parent = (try VMBackupManifest.read(in: parentDirectory), parentDirectory)
    }
    let full = try (parent?.manifest ?? manifest).files.files(disks: detail.rbdDisks, folder: "pvcdisks").map {
      (file: "\(parent?.directory ?? directory)/\($0.path)", pool: $0.pool, volume: $0.volume)
    }
    let diffs =
      parent == nil
      ? []
      : try manifest.files.files(disks: detail.rbdDisks, folder: "pvcdisks").map {
        (file: "\(directory)/\($0.path)", pool: $0.pool, volume: $0.volume)
      }
    let fullSnapshot = "backup_" + (parent?.manifest.datestring ?? date)
    let volumes = ExportedVolumes(context: context)
    try await volumes.define(detail, state: .restore) {
      _ = try await volumes.restore(
        full: full, fullSnapshot: fullSnapshot, diffs: diffs, keep: arguments.retainSnapshot ? [fullSnapshot] : [])
    }
    let seconds = ((ContinuousClock.now - started) / .seconds(1) * 100).rounded() / 100
    return "Successfully restored VM backup \(date) for '\(detail.name)' from '\(context.node):\(root)' in \(seconds)s."
  }
}
