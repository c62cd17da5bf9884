import ArgumentParser
import Foundation
import PVCKit

/// `pvc storage volume`.
struct StorageVolumeCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "volume", abstract: "Manage the RBD volumes.",
    subcommands: [
      List.self, Add.self, Resize.self, Rename.self, Clone.self, Remove.self, Upload.self, StorageSnapshotCommand.self,
    ])

  struct List: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List volumes.")
    @OptionGroup var connection: ConnectionOptions
    @Argument(help: ArgumentHelp(OperationSpec.storageVolumeList.help("limit"))) var limit: String?
    @Option(name: [.short, .long], help: ArgumentHelp(OperationSpec.storageVolumeList.help("pool"))) var pool: String?
    @Option(name: [.short, .long], help: "Output format: pretty, raw, json or json-pretty.") var format: ListFormat =
      .pretty

    func run() async throws {
      try await withCluster(connection) { cluster in
        let volumes = try await cluster.storage.volumes(limit: limit, pool: pool)
        guard !volumes.isEmpty else { throw CLIError("Volume not found.", kind: .notFound) }
        switch format {
        case .json, .jsonPretty: try printJSON(volumes, pretty: format == .jsonPretty)
        case .raw: output(volumes.map(\.path).joined(separator: "\n"))
        case .pretty:
          var table = Table(header: ["Name", "Pool", "Size", "Objects", "Order", "Format"])
          for volume in volumes {
            table.rows.append([
              volume.name, volume.pool, StorageRules.human(volume.size), String(volume.stat("objects")),
              String(volume.stat("order")), String(volume.stat("format")),
            ])
          }
          output(table.render())
        }
      }
    }
  }

  struct Add: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Add a volume.")
    @OptionGroup var connection: ConnectionOptions
    @Argument(help: "The pool.") var pool: String
    @Argument(help: "The volume's name.") var name: String
    @Argument(help: ArgumentHelp(OperationSpec.storageVolumeAdd.help("size"))) var size: String
    @Flag(name: [.short, .long], help: ArgumentHelp(OperationSpec.storageVolumeAdd.help("force"))) var force = false

    func run() async throws {
      try await withCluster(connection) { cluster in
        try await cluster.storage.addVolume(name, pool: pool, size: size, force: force)
        output("Added volume \(pool)/\(name) of \(size).")
      }
    }
  }

  struct Resize: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Change a volume's size.")
    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var confirmation: ConfirmationOptions
    @Argument(help: "The pool.") var pool: String
    @Argument(help: "The volume's name.") var name: String
    @Argument(help: ArgumentHelp(OperationSpec.storageVolumeModify.help("new_size"))) var size: String
    @Flag(name: [.short, .long], help: ArgumentHelp(OperationSpec.storageVolumeModify.help("force"))) var force = false

    func run() async throws {
      do { try confirmation.confirm("Resize volume \(pool)/\(name) to \(size) (shrinking loses data)?") } catch {
        throw fail(error)
      }
      try await withCluster(connection) { cluster in
        try await cluster.storage.resizeVolume(name, pool: pool, size: size, force: force)
        output("Resized volume \(pool)/\(name) to \(size).")
      }
    }
  }

  struct Rename: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Rename a volume.")
    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var confirmation: ConfirmationOptions
    @Argument(help: "The pool.") var pool: String
    @Argument(help: "The volume's name.") var name: String
    @Argument(help: ArgumentHelp(OperationSpec.storageVolumeModify.help("new_name"))) var newName: String

    func run() async throws {
      do { try confirmation.confirm("Rename volume \(pool)/\(name) to \(newName)?") } catch { throw fail(error) }
      try await withCluster(connection) { cluster in
        try await cluster.storage.renameVolume(name, pool: pool, to: newName)
        output("Renamed volume \(pool)/\(name) to \(newName).")
      }
    }
  }

  struct Clone: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Copy a volume to a new volume of the same pool.")
    @OptionGroup var connection: ConnectionOptions
    @Argument(help: "The pool.") var pool: String
    @Argument(help: "The volume's name.") var name: String
    @Argument(help: ArgumentHelp(OperationSpec.storageVolumeClone.help("new_volume"))) var newName: String
    @Flag(name: [.short, .long], help: ArgumentHelp(OperationSpec.storageVolumeClone.help("force"))) var force = false

    func run() async throws {
      try await withCluster(connection) { cluster in
        try await cluster.storage.cloneVolume(name, pool: pool, to: newName, force: force)
        output("Copied volume \(pool)/\(name) to \(newName).")
      }
    }
  }

  struct Remove: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Remove a volume (it must have no snapshots).")
    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var confirmation: ConfirmationOptions
    @Argument(help: "The pool.") var pool: String
    @Argument(help: "The volume's name.") var name: String

    func run() async throws {
      do { try confirmation.confirm("Remove volume \(pool)/\(name) and its data?") } catch { throw fail(error) }
      try await withCluster(connection) { cluster in
        try await cluster.storage.removeVolume(name, pool: pool)
        output("Removed volume \(pool)/\(name).")
      }
    }
  }
}

extension StorageVolumeCommand {
  struct Upload: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Write a local disk image into a volume (large enough for it), converting it to raw if needed.")
    @OptionGroup var connection: ConnectionOptions
    @Argument(help: "The pool.") var pool: String
    @Argument(help: "The volume's name.") var name: String
    @Argument(help: "The image file.") var imageFile: String
    @Option(name: [.short, .long], help: ArgumentHelp(OperationSpec.storageVolumeUpload.help("image_format")))
    var format = "raw"

    func run() async throws {
      guard let imageFormat = ImageFormat(rawValue: format) else {
        throw CLIError(
          "'\(format)' is not an image format: \(ImageFormat.allCases.map(\.rawValue).joined(separator: ", "))")
      }
      guard FileManager.default.isReadableFile(atPath: imageFile) else {
        throw CLIError("cannot read \(imageFile)")
      }
      try await withCluster(connection) { cluster in
        try await cluster.storage.uploadVolume(name, pool: pool, format: imageFormat, size: nil, from: .file(imageFile))
        output("Wrote the \(format) image \(imageFile) into volume \(pool)/\(name).")
      }
    }
  }
}

/// `pvc storage volume snapshot`.
struct StorageSnapshotCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "snapshot", abstract: "Manage the volumes' snapshots.",
    subcommands: [List.self, Add.self, Rename.self, Rollback.self, Remove.self])

  struct List: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List snapshots.")
    @OptionGroup var connection: ConnectionOptions
    @Argument(help: ArgumentHelp(OperationSpec.storageSnapshotList.help("limit"))) var limit: String?
    @Option(name: [.short, .long], help: ArgumentHelp(OperationSpec.storageSnapshotList.help("pool"))) var pool: String?
    @Option(name: [.customShort("o"), .long], help: ArgumentHelp(OperationSpec.storageSnapshotList.help("volume")))
    var volume: String?
    @Option(name: [.short, .long], help: "Output format: pretty, raw, json or json-pretty.") var format: ListFormat =
      .pretty

    func run() async throws {
      try await withCluster(connection) { cluster in
        let snapshots = try await cluster.storage.snapshots(limit: limit, pool: pool, volume: volume)
        guard !snapshots.isEmpty else { throw CLIError("Snapshot not found.", kind: .notFound) }
        switch format {
        case .json, .jsonPretty: try printJSON(snapshots, pretty: format == .jsonPretty)
        case .raw: output(snapshots.map(\.path).joined(separator: "\n"))
        case .pretty:
          var table = Table(header: ["Name", "Volume", "Pool"])
          for snapshot in snapshots { table.rows.append([snapshot.snapshot, snapshot.volume, snapshot.pool]) }
          output(table.render())
        }
      }
    }
  }

  struct Add: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Take a snapshot of a volume.")
    @OptionGroup var connection: ConnectionOptions
    @Argument(help: "The pool.") var pool: String
    @Argument(help: "The volume.") var volume: String
    @Argument(help: "The snapshot's name.") var name: String

    func run() async throws {
      try await withCluster(connection) { cluster in
        try await cluster.storage.addSnapshot(name, volume: volume, pool: pool)
        output("Took snapshot \(pool)/\(volume)@\(name).")
      }
    }
  }

  struct Rename: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Rename a snapshot.")
    @OptionGroup var connection: ConnectionOptions
    @Argument(help: "The pool.") var pool: String
    @Argument(help: "The volume.") var volume: String
    @Argument(help: "The snapshot's name.") var name: String
    @Argument(help: ArgumentHelp(OperationSpec.storageSnapshotRename.help("new_name"))) var newName: String

    func run() async throws {
      try await withCluster(connection) { cluster in
        try await cluster.storage.renameSnapshot(name, volume: volume, pool: pool, to: newName)
        output("Renamed snapshot \(pool)/\(volume)@\(name) to \(newName).")
      }
    }
  }

  struct Rollback: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Roll a volume back to a snapshot (stop whatever writes to it first).")
    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var confirmation: ConfirmationOptions
    @Argument(help: "The pool.") var pool: String
    @Argument(help: "The volume.") var volume: String
    @Argument(help: "The snapshot's name.") var name: String

    func run() async throws {
      do {
        try confirmation.confirm("Roll volume \(pool)/\(volume) back to \(name), losing what was written since?")
      } catch { throw fail(error) }
      try await withCluster(connection) { cluster in
        try await cluster.storage.rollbackSnapshot(name, volume: volume, pool: pool)
        output("Rolled volume \(pool)/\(volume) back to \(name).")
      }
    }
  }

  struct Remove: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Remove a snapshot.")
    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var confirmation: ConfirmationOptions
    @Argument(help: "The pool.") var pool: String
    @Argument(help: "The volume.") var volume: String
    @Argument(help: "The snapshot's name.") var name: String

    func run() async throws {
      do { try confirmation.confirm("Remove snapshot \(pool)/\(volume)@\(name)?") } catch { throw fail(error) }
      try await withCluster(connection) { cluster in
        try await cluster.storage.removeSnapshot(name, volume: volume, pool: pool)
        output("Removed snapshot \(pool)/\(volume)@\(name).")
      }
    }
  }
}
