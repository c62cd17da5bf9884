import ArgumentParser
import PVCKit

/// `pvc cluster maintenance on|off`.
struct ClusterMaintenanceCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "maintenance",
    abstract: "Turn cluster maintenance mode on or off.",
    discussion: "In maintenance mode no node is fenced and no fault is raised.",
    subcommands: [On.self, Off.self]
  )

  struct On: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Enable maintenance mode.")
    @OptionGroup var connection: ConnectionOptions
    func run() async throws {
      try await withCluster(connection) { cluster in
        output(
          try await cluster.setMaintenance(true)
            ? "Successfully set cluster in maintenance mode" : "Cluster is already in maintenance mode")
      }
    }
  }

  struct Off: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Disable maintenance mode.")
    @OptionGroup var connection: ConnectionOptions
    func run() async throws {
      try await withCluster(connection) { cluster in
        output(
          try await cluster.setMaintenance(false)
            ? "Successfully set cluster in normal mode" : "Cluster is already in normal mode")
      }
    }
  }
}
