import Foundation

/// What an autobackup or automirror run is given (upstream's `/vm/autobackup` and `/vm/automirror`). PVCKit sends
/// no mail: the report is the task's result (and, for autobackups, a file beside the backups).
public struct AutomationArguments: Codable, Sendable, Hashable {
  /// Take full backups whatever the schedule says.
  public var forceFull: Bool
  public var emailRecipients: [String]
  public var emailErrorsOnly: Bool

  public init(forceFull: Bool = false, emailRecipients: [String] = [], emailErrorsOnly: Bool = false) {
    self.forceFull = forceFull
    self.emailRecipients = emailRecipients
    self.emailErrorsOnly = emailErrorsOnly
  }

  enum CodingKeys: String, CodingKey {
    case forceFull = "force_full"
    case emailRecipients = "email_recipients"
    case emailErrorsOnly = "email_errors_only"
  }
}

extension TaskKind where Arguments == AutomationArguments {
  public static func node(for arguments: Arguments, in placement: TaskPlacement) async throws -> String {
    try await placement.nodes.requirePrimary()
  }
}

/// One VM's line in an automation report.
struct AutomationResult: Codable, Sendable, Hashable {
  var vm: String
  var result: Bool
  var message: String
}

/// `cluster.autobackup`: every VM with one of `backup_tags` gets an `ab<time>` snapshot, exported into
/// `<root>/<vm>/ab<time>/` in the snapshot export layout: whole every `full_interval` backups (the snapshot kept as
/// the parent of the incrementals after it), otherwise as the changes since the last full one (its snapshot
/// removed once exported). `<vm>/.autobackup.json` tracks them, newest first; beyond `full_retention` full
/// backups, the oldest go with their incrementals. Mount commands run first and unmount commands last; the report
/// is the task's result and `<root>/.autobackup-report.json`.
public enum ClusterAutobackupTask: TaskKind {
  public typealias Arguments = AutomationArguments
  public static let name = "cluster.autobackup"

  public static func run(_ arguments: Arguments, context: TaskContext) async throws -> String {
    guard let settings = context.automation.autobackup else {
      throw TaskError.failed("autobackup is not configured on \(context.node) (pvc.conf's autobackup section)")
    }
    let root = try TransferPaths.checked(settings.root, "Backup root")
    for command in settings.mountCommands { try await AutomationWork.run(command) }
    var results: [AutomationResult] = []
    do {
      try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
      let tagged = try await context.vms.list().filter { vm in vm.tags.contains { settings.tags.contains($0.name) } }
      for (index, vm) in tagged.enumerated() {
        await context.update(current: index, total: tagged.count, status: "Backing up \(vm.name)")
        do {
          let message = try await backUp(vm, into: "\(root)/\(vm.name)", settings, arguments, context)
          results.append(AutomationResult(vm: vm.name, result: true, message: message))
        } catch {
          results.append(AutomationResult(vm: vm.name, result: false, message: "\(error)"))
        }
      }
      try JSONEncoder().encode(results).write(to: URL(fileURLWithPath: root + "/.autobackup-report.json"))
    } catch {
      for command in settings.unmountCommands { try? await AutomationWork.run(command) }
      throw error
    }
    for command in settings.unmountCommands { try await AutomationWork.run(command) }
    return try AutomationWork.summary("Autobackup", results)
  }

  /// Backs one VM up; returns what was done.
  static func backUp(
    _ vm: VMInfo, into directory: String, _ settings: PVCConfiguration.Autobackup, _ arguments: Arguments,
    _ context: TaskContext
  ) async throws -> String {
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    let trackFile = directory + "/.autobackup.json"
    var tracked = try AutomationWork.tracked(trackFile)
    let lastFull = tracked.firstIndex { $0.type == "full" }
    let full = arguments.forceFull || lastFull.map { $0 >= settings.fullInterval - 1 } ?? true
    let date = VMSnapshotWork.defaultName()
    let snapshot = "ab" + date
    _ = try await VMSnapshotCreateTask.run(.init(vm: vm.name, snapshot: snapshot), context: context)
    let info = try await context.vms.info(vm.uuid)
    let parent = full ? nil : lastFull.map { tracked[$0].snapshotName }
    let target = "\(directory)/\(snapshot)"
    do {
      let disks = try VMSnapshotWork.snapshot(snapshot, of: info).rbdSnapshots.compactMap(VMSnapshotWork.parts).map {
        ($0.pool, $0.volume)
      }
      let (files, bytes) = try await ExportedVolumes(context: context).export(
        disks, at: snapshot, since: parent, into: target, folder: "images")
      let manifest = VMExportManifest(
        type: full ? "full" : "incremental", snapshotName: snapshot, incrementalParent: parent,
        vmDetail: try await VMSnapshotWork.detail(info, at: snapshot, context: context), exportFiles: files,
        exportSizeBytes: bytes, datestring: date)
      try JSONEncoder().encode(manifest).write(to: URL(fileURLWithPath: target + "/snapshot.json"))
      tracked.insert(manifest, at: 0)
    } catch {
      try? FileManager.default.removeItem(atPath: target)
      _ = try? await VMSnapshotRemoveTask.run(.init(vm: vm.uuid, snapshot: snapshot), context: context)
      throw error
    }
    // An incremental's snapshot is not needed once exported; a full one is the next incrementals' parent.
    if !full { _ = try await VMSnapshotRemoveTask.run(.init(vm: vm.uuid, snapshot: snapshot), context: context) }
    // Retention: the newest `full_retention` full backups and the incrementals on them stay.
    let fulls = tracked.filter { $0.type == "full" }.map(\.snapshotName)
    let expired = Set(fulls.dropFirst(settings.fullRetention))
    var removed = 0
    for entry in tracked where expired.contains(entry.snapshotName) || expired.contains(entry.incrementalParent ?? "") {
      if entry.type == "full", info.snapshots.contains(where: { $0.name == entry.snapshotName }) {
        _ = try await VMSnapshotRemoveTask.run(.init(vm: vm.uuid, snapshot: entry.snapshotName), context: context)
      }
      try? FileManager.default.removeItem(atPath: "\(directory)/\(entry.snapshotName)")
      removed += 1
    }
    tracked.removeAll { expired.contains($0.snapshotName) || expired.contains($0.incrementalParent ?? "") }
    try AutomationWork.writeTracked(tracked, to: trackFile)
    return "\(full ? "full" : "incremental") backup \(snapshot)\(parent.map { " from \($0)" } ?? "")"
      + (removed > 0 ? ", \(removed) expired backup\(removed == 1 ? "" : "s") removed" : "")
  }
}

/// `cluster.automirror`: every VM with a tag in `mirror_tags` (`tag:destination` for another destination than the
/// default) gets an `am<time>` snapshot sent to each of its destinations (the changes since the newest snapshot
/// both sides have), then only the newest `keep_snapshots` automirror snapshots stay, there and here. When every
/// send of a VM failed, its new snapshot is removed again.
public enum ClusterAutomirrorTask: TaskKind {
  public typealias Arguments = AutomationArguments
  public static let name = "cluster.automirror"

  public static func run(_ arguments: Arguments, context: TaskContext) async throws -> String {
    guard let settings = context.automation.automirror else {
      throw TaskError.failed("automirror is not configured on \(context.node) (pvc.conf's automirror section)")
    }
    var results: [AutomationResult] = []
    let vms = try await context.vms.list()
    for (index, vm) in vms.enumerated() {
      let destinations = vm.tags.compactMap { tag -> String? in
        let parts = tag.name.split(separator: ":", maxSplits: 1).map(String.init)
        guard let first = parts.first, settings.tags.contains(first) else { return nil }
        return parts.count == 2 ? parts[1] : settings.defaultDestination
      }
      guard !destinations.isEmpty else { continue }
      await context.update(current: index, total: vms.count, status: "Mirroring \(vm.name)")
      let snapshot = "am" + VMSnapshotWork.defaultName()
      do {
        _ = try await VMSnapshotCreateTask.run(.init(vm: vm.name, snapshot: snapshot), context: context)
      } catch {
        results.append(AutomationResult(vm: vm.name, result: false, message: "\(error)"))
        continue
      }
      var sent = 0
      for name in Set(destinations).sorted() {
        do {
          guard let destination = settings.destinations[name] else {
            throw TaskError.failed("no automirror destination \(name)")
          }
          try await mirror(vm.uuid, snapshot, to: destination, keep: settings.keepSnapshots, context: context)
          results.append(AutomationResult(vm: "\(vm.name):\(name)", result: true, message: "sent \(snapshot)"))
          sent += 1
        } catch {
          results.append(AutomationResult(vm: "\(vm.name):\(name)", result: false, message: "\(error)"))
        }
      }
      let info = try await context.vms.info(vm.uuid)
      let ours = info.snapshots.filter { $0.name.hasPrefix("am") }.sorted {
        (Double($0.timestamp) ?? 0) > (Double($1.timestamp) ?? 0)
      }
      let expired = sent == 0 ? ours.filter { $0.name == snapshot } : Array(ours.dropFirst(settings.keepSnapshots))
      for old in expired {
        _ = try? await VMSnapshotRemoveTask.run(.init(vm: vm.uuid, snapshot: old.name), context: context)
      }
    }
    return try AutomationWork.summary("Automirror", results)
  }

  /// Sends the snapshot to one destination and trims its automirror snapshots there.
  static func mirror(
    _ uuid: String, _ snapshot: String, to destination: SnapshotDestination, keep: Int, context: TaskContext
  ) async throws {
    let info = try await context.vms.info(uuid)
    let remote = try await destination.connect()
    do {
      let there = try await SnapshotSendWork.remoteMirror(info.name, on: remote)
      _ = try await SnapshotSendWork.send(
        info, snapshot, parent: SnapshotSendWork.commonParent(info, there),
        arguments: .init(vm: info.name, destination: destination), remote: remote, there: there, context: context)
      let theirs = try await remote.vms.info(info.name).snapshots.filter { $0.name.hasPrefix("am") }.sorted {
        (Double($0.timestamp) ?? 0) > (Double($1.timestamp) ?? 0)
      }
      for old in theirs.dropFirst(keep) {
        let removal = try await remote.vms.removeSnapshot(info.name, name: old.name)
        _ = try await remote.tasks.wait(for: removal.id, timeout: .seconds(600))
      }
    } catch {
      await remote.close()
      throw error
    }
    await remote.close()
  }
}

/// What the automation tasks share.
enum AutomationWork {
  /// Runs a mount or unmount command (a program and its arguments, no shell).
  static func run(_ command: [String]) async throws {
    guard let program = command.first else { return }
    let outcome = try await Command(program).run(Array(command.dropFirst()), timeout: .seconds(300))
    guard outcome.status == 0 else {
      throw TaskError.failed("'\(command.joined(separator: " "))' failed: \(outcome.output.suffix(300))")
    }
  }

  /// The exports tracked in a VM's `.autobackup.json`, newest first.
  static func tracked(_ file: String) throws -> [VMExportManifest] {
    guard TransferPaths.size(file) > 0 else { return [] }
    struct Tracked: Codable {
      var trackedBackups: [VMExportManifest]
      enum CodingKeys: String, CodingKey { case trackedBackups = "tracked_backups" }
    }
    guard TransferPaths.size(file) <= VMExportManifest.maximumSize else {
      throw TaskError.failed("\(file) is too large")
    }
    return try JSONDecoder().decode(Tracked.self, from: Data(contentsOf: URL(fileURLWithPath: file))).trackedBackups
  }

  static func writeTracked(_ tracked: [VMExportManifest], to file: String) throws {
    let entries = try tracked.map { try JSONDecoder().decode(JSONValue.self, from: JSONEncoder().encode($0)) }
    try JSONEncoder().encode(["tracked_backups": JSONValue.array(entries)]).write(to: URL(fileURLWithPath: file))
  }

  /// The report: a line per VM; fails (with the report) when any VM failed.
  static func summary(_ what: String, _ results: [AutomationResult]) throws -> String {
    let failed = results.filter { !$0.result }
    let lines = results.map { "\($0.vm): \($0.result ? "ok" : "FAILED"): \($0.message)" }
    let text =
      "\(what) of \(results.count) VM\(results.count == 1 ? "" : "s"): \(results.count - failed.count) "
      + "succeeded, \(failed.count) failed" + (lines.isEmpty ? "" : "\n" + lines.joined(separator: "\n"))
    guard failed.isEmpty else { throw TaskError.failed(text) }
    return text
  }
}
