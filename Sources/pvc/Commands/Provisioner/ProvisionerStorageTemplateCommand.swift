import ArgumentParser
import PVCKit

/// `pvc provisioner template storage`.
struct ProvisionerStorageTemplateCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "storage", abstract: "Manage storage templates (the VM's disks).",
    subcommands: [List.self, Add.self, Remove.self, Disk.self])

  struct List: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List storage templates.")
    @OptionGroup var connection: ConnectionOptions
    @Argument(help: ArgumentHelp(OperationSpec.provisionerStorageList.help("limit"))) var limit: String?
    @OptionGroup var list: ListFormatOption

    func run() async throws {
      try await withCluster(connection) { cluster in
        try printListing(
          try await cluster.provisioner.storageTemplates(limit: limit), format: list.format,
          none: "No storage templates found.", name: \.name, header: ["Name", "Disks"]
        ) { template in
          [
            template.name,
            template.disks.map { disk in
              let what =
                disk.sourceVolume.map { "copy of \(disk.pool)/\($0)" }
                ?? "\(disk.diskSizeGB ?? 0) GB in \(disk.pool)\(disk.filesystem.map { ", \($0)" } ?? "")\(disk.mountpoint.map { " at \($0)" } ?? "")"
              return "\(disk.diskID): \(what)"
            }.joined(separator: "; "),
          ]
        }
      }
    }
  }

  struct Add: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Add a storage template.")
    @OptionGroup var connection: ConnectionOptions
    @Argument(help: "The template's name.") var name: String

    func run() async throws {
      try await withCluster(connection) { cluster in
        try await cluster.provisioner.addStorageTemplate(name)
        output("Added new storage template \"\(name)\".")
      }
    }
  }

  struct Remove: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Remove a storage template.")
    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var confirmation: ConfirmationOptions
    @Argument(help: "The template's name.") var name: String

    func run() async throws {
      do { try confirmation.confirm("Remove storage template \(name)?") } catch { throw fail(error) }
      try await withCluster(connection) { cluster in
        try await cluster.provisioner.removeStorageTemplate(name)
        output("Removed storage template \"\(name)\".")
      }
    }
  }

  /// `pvc provisioner template storage disk`.
  struct Disk: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "disk", abstract: "Add and remove a storage template's disks.", subcommands: [Add.self, Remove.self])

    struct Add: AsyncParsableCommand {
      static let configuration = CommandConfiguration(abstract: "Add a disk to a storage template.")
      @OptionGroup var connection: ConnectionOptions
      @Argument(help: "The template's name.") var name: String
      @Argument(help: ArgumentHelp(OperationSpec.provisionerStorageDiskAdd.help("disk_id"))) var disk: String
      @Option(
        name: [.customShort("p"), .long], help: ArgumentHelp(OperationSpec.provisionerStorageDiskAdd.help("pool")))
      var pool: String
      @Option(
        name: [.customShort("i"), .customLong("source-volume")],
        help: ArgumentHelp(OperationSpec.provisionerStorageDiskAdd.help("source_volume")))
      var sourceVolume: String?
      @Option(
        name: [.customShort("s"), .long], help: ArgumentHelp(OperationSpec.provisionerStorageDiskAdd.help("disk_size")))
      var size: Int?
      @Option(
        name: [.customShort("f"), .long], help: ArgumentHelp(OperationSpec.provisionerStorageDiskAdd.help("filesystem"))
      )
      var filesystem: String?
      // A value that starts with '-' (`--fsarg -L=root`) is the option's value, as upstream's Click takes it.
      @Option(
        name: .customLong("fsarg"), parsing: .unconditionalSingleValue,
        help: ArgumentHelp(OperationSpec.provisionerStorageDiskAdd.help("filesystem_arg")))
      var fsargs: [String] = []
      @Option(
        name: [.customShort("m"), .long], help: ArgumentHelp(OperationSpec.provisionerStorageDiskAdd.help("mountpoint"))
      )
      var mountpoint: String?

      func run() async throws {
        let request = TemplateDiskRequest(
          pool: pool, sourceVolume: sourceVolume, sizeGB: size, filesystem: filesystem, filesystemArguments: fsargs,
          mountpoint: mountpoint)
        try await withCluster(connection) { cluster in
          try await cluster.provisioner.addTemplateDisk(name, diskID: disk, request)
          output("Added new disk \"\(disk)\" to storage template \"\(name)\".")
        }
      }
    }

    struct Remove: AsyncParsableCommand {
      static let configuration = CommandConfiguration(abstract: "Remove a disk from a storage template.")
      @OptionGroup var connection: ConnectionOptions
      @OptionGroup var confirmation: ConfirmationOptions
      @Argument(help: "The template's name.") var name: String
      @Argument(help: "The disk's ID.") var disk: String

      func run() async throws {
        do { try confirmation.confirm("Remove disk \(disk) from template \(name)?") } catch { throw fail(error) }
        try await withCluster(connection) { cluster in
          try await cluster.provisioner.removeTemplateDisk(name, diskID: disk)
          output("Removed disk \"\(disk)\" from storage template \"\(name)\".")
        }
      }
    }
  }
}
