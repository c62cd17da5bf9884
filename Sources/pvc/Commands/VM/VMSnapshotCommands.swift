import ArgumentParser
import PVCKit

/// `pvc vm snapshot`: whole-VM snapshots (an RBD snapshot of every disk and the definition), as tasks on the
/// primary.
struct VMSnapshotCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "snapshot", abstract: "Manage whole-VM snapshots.",
    subcommands: [Create.self, Remove.self, Rollback.self, Export.self, Import.self, Send.self])

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

  struct Export: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Export a snapshot to files on the primary coordinator (upstream's layout).")
    @OptionGroup var connection: ConnectionOptions
    @Argument(help: "The VM.") var domain: String
    @Argument(help: "The snapshot.") var snapshotName: String
    @Argument(help: "An absolute directory on the primary coordinator.") var exportPath: String
    @Option(name: [.short, .long], help: "Export only the changes since this snapshot.") var incremental: String?
    @OptionGroup var waiting: TaskWaiting

    func run() async throws {
      try await withCluster(connection) { cluster in
        try await follow(
          try await cluster.vms.exportSnapshot(
            domain, name: snapshotName, to: exportPath, incrementalParent: incremental), waiting, cluster)
      }
    }
  }

  struct Import: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Import an exported snapshot as a new VM (defined, its volumes made, started).")
    @OptionGroup var connection: ConnectionOptions
    @Argument(help: "The VM (its directory under the path).") var domain: String
    @Argument(help: "The snapshot.") var snapshotName: String
    @Argument(help: "An absolute directory on the primary coordinator.") var importPath: String
    @Flag(name: [.short, .customLong("retain-snapshot")], help: "Keep the snapshot as the VM's (the default).")
    var retain = false
    @Flag(name: [.customShort("R"), .customLong("remove-snapshot")], help: "Remove the snapshot once imported.")
    var remove = false
    @OptionGroup var waiting: TaskWaiting

    func run() async throws {
      if retain && remove { throw ValidationError("give --retain-snapshot or --remove-snapshot, not both") }
      try await withCluster(connection) { cluster in
        try await follow(
          try await cluster.vms.importSnapshot(
            domain, name: snapshotName, from: importPath, retainSnapshot: !remove), waiting, cluster)
      }
    }
  }
}
