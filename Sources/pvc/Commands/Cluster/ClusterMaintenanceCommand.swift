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
    func run() async throws { try await setMaintenance(true, connection) }
  }

  struct Off: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Disable maintenance mode.")
    @OptionGroup var connection: ConnectionOptions
    func run() async throws { try await setMaintenance(false, connection) }
  }
}

extension AsyncParsableCommand {
  /// Sets maintenance mode and says what happened, in upstream's words.
  func setMaintenance(_ enabled: Bool, _ connection: ConnectionOptions) async throws {
    let mode = enabled ? "maintenance" : "normal"
    try await withCluster(connection) { cluster in
      output(
        try await cluster.setMaintenance(enabled)
          ? "Successfully set cluster in \(mode) mode" : "Cluster is already in \(mode) mode")
    }
  }
}
