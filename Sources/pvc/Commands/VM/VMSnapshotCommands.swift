import ArgumentParser
import PVCKit

/// `pvc vm snapshot`: whole-VM snapshots (an RBD snapshot of every disk and the definition), as tasks on the
/// primary.
struct VMSnapshotCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "snapshot", abstract: "Manage whole-VM snapshots.",
    subcommands: [Create.self, Remove.self, Rollback.self])

  struct Create: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Take a snapshot of a VM's disks and definition.")
    @OptionGroup var connection: ConnectionOptions
    @Argument(help: "The VM.") var domain: String
    @Argument(help: ArgumentHelp(OperationSpec.vmSnapshotCreate.help("snapshot_name"))) var snapshotName: String?
    @OptionGroup var waiting: TaskWaiting

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
    @OptionGroup var waiting: TaskWaiting
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
    @OptionGroup var waiting: TaskWaiting
    @OptionGroup var confirmation: ConfirmationOptions

    func run() async throws {
      try confirmation.confirm("Roll VM \(domain) back to snapshot \(snapshotName)? Changes since are lost.")
      try await withCluster(connection) { cluster in
        try await follow(try await cluster.vms.rollbackSnapshot(domain, name: snapshotName), waiting, cluster)
      }
    }
  }
}
