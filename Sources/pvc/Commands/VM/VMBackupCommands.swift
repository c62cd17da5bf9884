import ArgumentParser
import PVCKit

/// `pvc vm backup`: upstream's legacy backups, files on the primary coordinator.
struct VMBackupCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "backup", abstract: "Manage legacy backups of VMs (files on the primary coordinator).",
    subcommands: [Create.self, Remove.self, Restore.self])

  struct Create: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Back a VM up into a directory on the primary.")
    @OptionGroup var connection: ConnectionOptions
    @Argument(help: "The VM.") var domain: String
    @Argument(help: "An absolute directory on the primary coordinator.") var backupPath: String
    @Option(name: [.short, .long], help: "A retained full backup's date string: back up only the changes since.")
    var incremental: String?
    @Flag(name: [.short, .customLong("retain-snapshot")], help: "Keep the snapshots for later incrementals.")
    var retain = false

    func run() async throws {
      try await withCluster(connection) { cluster in
        output(
          try await cluster.vms.backup(domain, to: backupPath, incrementalParent: incremental, retainSnapshot: retain))
      }
    }
  }

  struct Remove: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Remove a backup of a VM.")
    @OptionGroup var connection: ConnectionOptions
    @Argument(help: "The VM.") var domain: String
    @Argument(help: "The backup's date string (YYYYMMDDhhmmss).") var backupDatestring: String
    @Argument(help: "The directory the backup is in.") var backupPath: String

    func run() async throws {
      try await withCluster(connection) { cluster in
        output(try await cluster.vms.removeBackup(domain, at: backupPath, datestring: backupDatestring))
      }
    }
  }

  struct Restore: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Make a VM again from a backup (it must not exist).")
    @OptionGroup var connection: ConnectionOptions
    @Argument(help: "The VM.") var domain: String
    @Argument(help: "The backup's date string (YYYYMMDDhhmmss).") var backupDatestring: String
    @Argument(help: "The directory the backup is in.") var backupPath: String
    @Flag(name: [.short, .customLong("retain-snapshot")], help: "Keep the full backup's snapshot (the default).")
    var retain = false
    @Flag(name: [.customShort("R"), .customLong("remove-snapshot")], help: "Remove it once restored.")
    var remove = false

    func run() async throws {
      if retain && remove { throw ValidationError("give --retain-snapshot or --remove-snapshot, not both") }
      try await withCluster(connection) { cluster in
        output(
          try await cluster.vms.restoreBackup(
            domain, from: backupPath, datestring: backupDatestring, retainSnapshot: !remove))
      }
    }
  }
}

/// Upstream's options of `vm autobackup` and `vm automirror` that PVCKit accepts but has no use for.
struct AutomationOptions: ParsableArguments {
  @Option(name: .customLong("email-report"), help: "Accepted for upstream's scripts: PVCKit sends no mail.")
  var emailReport: String?
  @Flag(name: .customLong("cron"), help: "Quiet unless something failed (for cron jobs).") var cron = false
  @OptionGroup var waiting: TaskWaiting

  /// Follows the task (or only queues it), quiet under --cron unless it failed.
  func run(_ queued: ClusterTask, _ cluster: PVCCluster) async throws {
    if emailReport != nil { warn("PVCKit sends no report mail: the report is the task's result") }
    guard cron else { return try await follow(queued, waiting, cluster) }
    let done = try await cluster.tasks.wait(for: queued.id, timeout: .seconds(48 * 3600))
    guard done.state == .success else { throw CLIError(done.status, kind: .failed) }
  }
}

/// `pvc vm autobackup`: runs the cluster's autobackup (pvc.conf's `autobackup`) now.
struct VMAutobackupCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "autobackup", abstract: "Back up the VMs with the autobackup tags now.")
  @OptionGroup var connection: ConnectionOptions
  @Flag(name: .customLong("force-full"), help: "Take full backups whatever the schedule says.") var forceFull = false
  @OptionGroup var options: AutomationOptions

  func run() async throws {
    try await withCluster(connection) { cluster in
      try await options.run(try await cluster.vms.autobackup(forceFull: forceFull), cluster)
    }
  }
}

/// `pvc vm automirror`: runs the cluster's automirror (pvc.conf's `automirror`) now.
struct VMAutomirrorCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "automirror", abstract: "Mirror the VMs with the automirror tags to their clusters now.")
  @OptionGroup var connection: ConnectionOptions
  @Flag(name: .customLong("email-errors-only"), help: "Accepted for upstream's scripts.") var emailErrorsOnly = false
  @OptionGroup var options: AutomationOptions

  func run() async throws {
    try await withCluster(connection) { cluster in
      try await options.run(try await cluster.vms.automirror(), cluster)
    }
  }
}
