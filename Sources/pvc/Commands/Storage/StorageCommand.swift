import ArgumentParser
import PVCKit

/// `pvc storage`.
struct StorageCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "storage", abstract: "Manage the cluster's Ceph storage: pools, volumes, snapshots and OSDs.",
    subcommands: [
      StorageStatusCommand.self, StorageUtilCommand.self, StorageBenchmarkCommand.self, StorageOSDCommand.self,
      StoragePoolCommand.self, StorageVolumeCommand.self, StorageCreateDatabaseVGCommand.self,
    ])
}

/// The output of `storage status` and `storage util` (upstream has only `pretty`).
enum ReportFormat: String, ExpressibleByArgument, CaseIterable {
  case pretty, json
  case jsonPretty = "json-pretty"
}

/// `pvc storage status`.
struct StorageStatusCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "status", abstract: "Show Ceph's status as the primary last recorded it.")
  @OptionGroup var connection: ConnectionOptions
  @Option(name: [.short, .long], help: "Output format: pretty, json or json-pretty.") var format: ReportFormat =
    .pretty

  func run() async throws {
    try await withCluster(connection) { cluster in
      try show(try await cluster.storage.status(), format, title: "Storage cluster status")
    }
  }
}

/// `pvc storage util`.
struct StorageUtilCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "util", abstract: "Show Ceph's space use as the primary last recorded it.")
  @OptionGroup var connection: ConnectionOptions
  @Option(name: [.short, .long], help: "Output format: pretty, json or json-pretty.") var format: ReportFormat =
    .pretty

  func run() async throws {
    try await withCluster(connection) { cluster in
      try show(try await cluster.storage.utilization(), format, title: "Storage cluster utilization")
    }
  }
}

/// Prints a status or space report.
func show(_ report: StorageReport, _ format: ReportFormat, title: String) throws {
  switch format {
  case .json, .jsonPretty: try printJSON(report, pretty: format == .jsonPretty)
  case .pretty:
    output(
      Terminal.paint("\(title) (primary node \(report.primaryNode)):", "1", Terminal.colour) + "\n\n"
        + (report.cephData.isEmpty ? "No data recorded yet." : report.cephData))
  }
}
