import ArgumentParser

/// `pvc cluster`: cluster-wide commands.
struct ClusterCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "cluster",
    abstract: "Manage the cluster as a whole.",
    subcommands: [
      ClusterStatusCommand.self, ClusterInitCommand.self, ClusterMaintenanceCommand.self,
      ClusterBackupCommand.self, ClusterRestoreCommand.self, ClusterFaultCommand.self, ClusterTaskCommand.self,
      ClusterAuditCommand.self,
    ]
  )
}
