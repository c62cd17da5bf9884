import ArgumentParser
import Foundation
import PVCKit

/// Where snapshots go: a saved API connection's name, or an API URI with its prefix (upstream's DESTINATION).
struct DestinationOptions: ParsableArguments {
  @Argument(help: "A saved connection's name, or the destination API's URI (https://host:7370/api/v1).")
  var destination: String
  @Option(
    name: [.customShort("k"), .customLong("destination-api-key")], help: "The destination API's key (with a URI).")
  var destinationAPIKey: String?
  @Option(
    name: [.customShort("p"), .customLong("destination-pool")], help: "The destination's pool (default: the same).")
  var destinationPool: String?

  /// The destination, from the saved connections when `destination` names one.
  func resolved() throws -> SnapshotDestination {
    if let entry = try ConnectionStore.load().entries[destination], let url = entry.url {
      return SnapshotDestination(
        uri: url.absoluteString + "/api/v1", key: destinationAPIKey ?? entry.apiKey ?? "", pool: destinationPool)
    }
    guard destination.contains("://") else {
      throw CLIError("\(destination) is neither a saved connection nor an API URI", kind: .invalid)
    }
    return SnapshotDestination(uri: destination, key: destinationAPIKey ?? "", pool: destinationPool)
  }
}

extension VMSnapshotCommand {
  struct Send: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Send a snapshot to another PVC cluster.")
    @OptionGroup var connection: ConnectionOptions
    @Argument(help: "The VM.") var domain: String
    @Argument(help: "The snapshot.") var snapshotName: String
    @OptionGroup var destination: DestinationOptions
    @Option(name: [.short, .long], help: "Send only the changes since this snapshot (the destination has it).")
    var incremental: String?
    @OptionGroup var waiting: TaskWaiting

    func run() async throws {
      let target: SnapshotDestination
      do { target = try destination.resolved() } catch { throw fail(error) }
      try await withCluster(connection) { cluster in
        try await follow(
          try await cluster.vms.sendSnapshot(domain, name: snapshotName, to: target, incrementalParent: incremental),
          waiting, cluster)
      }
    }
  }
}

/// `pvc vm mirror`: snapshot mirrors of a VM on another cluster.
struct VMMirrorCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "mirror", abstract: "Manage snapshot mirrors of VMs on other PVC clusters.",
    subcommands: [Create.self, Promote.self])

  struct Create: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Take a snapshot and send it to another cluster, creating or updating the VM's mirror there.")
    @OptionGroup var connection: ConnectionOptions
    @Argument(help: "The VM.") var domain: String
    @OptionGroup var destination: DestinationOptions
    @OptionGroup var waiting: TaskWaiting

    func run() async throws {
      let target: SnapshotDestination
      do { target = try destination.resolved() } catch { throw fail(error) }
      try await withCluster(connection) { cluster in
        try await follow(try await cluster.vms.createMirror(domain, to: target), waiting, cluster)
      }
    }
  }

  struct Promote: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Shut the VM down, send a last snapshot and start its mirror on the other cluster.")
    @OptionGroup var connection: ConnectionOptions
    @Argument(help: "The VM.") var domain: String
    @OptionGroup var destination: DestinationOptions
    @Flag(name: .customLong("remove"), help: "Remove the VM and its disks here once it runs there.") var remove = false
    @Flag(name: .customLong("no-remove"), help: "Keep it here as the mirror (the default).") var noRemove = false
    @OptionGroup var waiting: TaskWaiting
    @OptionGroup var confirmation: ConfirmationOptions

    func run() async throws {
      if remove && noRemove { throw ValidationError("give --remove or --no-remove, not both") }
      let target: SnapshotDestination
      do { target = try destination.resolved() } catch { throw fail(error) }
      try confirmation.confirm("Shut VM \(domain) down here and start it on \(destination.destination)?")
      try await withCluster(connection) { cluster in
        try await follow(
          try await cluster.vms.promoteMirror(domain, to: target, removeOnSource: remove), waiting, cluster)
      }
    }
  }
}
