import ArgumentParser
import PVCKit

/// `pvc vm snapshot`: whole-VM snapshots (an RBD snapshot of every disk and the definition), as tasks on the
/// primary.
struct VMSnapshotCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "snapshot", abstract: "Manage whole-VM snapshots.",
    subcommands: [Create.self, Remove.self, Rollback.self])

  /// Whether to follow the task (`--wait`, the default) or only queue it (`--no-wait`).
  struct Waiting: ParsableArguments {
    @Flag(name: .customLong("wait"), help: "Follow the task until it ends (the default).") var wait = false
    @Flag(name: .customLong("no-wait"), help: "Only queue the task.") var noWait = false
  }

  struct Create: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Take a snapshot of a VM's disks and definition.")
    @OptionGroup var connection: ConnectionOptions
    @Argument(help: "The VM.") var domain: String
    @Argument(help: ArgumentHelp(OperationSpec.vmSnapshotCreate.help("snapshot_name"))) var snapshotName: String?
    @OptionGroup var waiting: Waiting

    func run() async throws {
      try await withCluster(connection) { cluster in
        try await follow(try await cluster.vms.createSnapshot(domain, name: snapshotName), waiting, cluster)
      }
    }
  }

  struct Remove: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Remove a snapshot of a VM.")
    @OptionGroup var connection: ConnectionOptions
    @Argument(help: "The VM.") var domain: String
    @Argument(help: "The snapshot.") var snapshotName: String
    @OptionGroup var waiting: Waiting
    @OptionGroup var confirmation: ConfirmationOptions

    func run() async throws {
      try confirmation.confirm("Remove snapshot \(snapshotName) of VM \(domain)?")
      try await withCluster(connection) { cluster in
        try await follow(try await cluster.vms.removeSnapshot(domain, name: snapshotName), waiting, cluster)
      }
    }
  }

  struct Rollback: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Roll a stopped VM's disks and definition back to a snapshot.")
    @OptionGroup var connection: ConnectionOptions
    @Argument(help: "The VM.") var domain: String
    @Argument(help: "The snapshot.") var snapshotName: String
    @OptionGroup var waiting: Waiting
    @OptionGroup var confirmation: ConfirmationOptions

    func run() async throws {
      try confirmation.confirm("Roll VM \(domain) back to snapshot \(snapshotName)? Changes since are lost.")
      try await withCluster(connection) { cluster in
        try await follow(try await cluster.vms.rollbackSnapshot(domain, name: snapshotName), waiting, cluster)
      }
    }
  }
}

/// Follows a queued task to its end with a progress bar (unless `--no-wait`), printing its result.
func follow(_ queued: ClusterTask, _ waiting: VMSnapshotCommand.Waiting, _ cluster: PVCCluster) async throws {
  guard !waiting.noWait else {
    output("Queued as task \(queued.id) on \(queued.runOn).")
    return
  }
  try await followTask(queued, cluster)
}

/// Follows a task to its end with a progress bar; prints its result, or fails with its reason.
func followTask(_ queued: ClusterTask, _ cluster: PVCCluster) async throws {
  var task = queued
  while !task.state.isFinished {
    Progress.bar(current: task.current, total: task.total, status: task.status)
    try await Task.sleep(for: .milliseconds(250))
    task = try await cluster.tasks.task(task.id)
  }
  Progress.clear()
  guard task.state == .success else { throw CLIError(task.status, kind: .failed) }
  output(task.status)
}
