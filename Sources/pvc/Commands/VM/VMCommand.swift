import ArgumentParser

/// `pvc vm`.
struct VMCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "vm",
    abstract: "Manage virtual machines.",
    subcommands: [
      VMListCommand.self, VMInfoCommand.self, VMDefineCommand.self, VMModifyCommand.self, VMRenameCommand.self,
      VMUndefineCommand.self, VMRemoveCommand.self, VMDumpCommand.self, VMStartCommand.self, VMStopCommand.self,
      VMShutdownCommand.self, VMRestartCommand.self, VMDisableCommand.self, VMMigrateCommand.self,
      VMUnmigrateCommand.self, VMMoveCommand.self, VMMetaCommand.self, VMTagCommand.self, VMLogCommand.self,
      VMVCPUCommand.self, VMMemoryCommand.self, VMNetworkCommand.self, VMVolumeCommand.self, VMSnapshotCommand.self,
      VMConsoleCommand.self, VMFlushLocksCommand.self, VMDeviceCommand.self, VMMirrorCommand.self, VMBackupCommand.self,
      VMAutobackupCommand.self, VMAutomirrorCommand.self,
    ]
  )
}
