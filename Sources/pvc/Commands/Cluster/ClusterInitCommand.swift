import ArgumentParser
import PVCKit

/// `pvc cluster init`: creates the layout of a new cluster.
struct ClusterInitCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "init",
    abstract: "Initialize a new cluster.",
    discussion: """
      Creates the cluster's base layout in ZooKeeper. Refuses if the cluster already \
      holds data, unless --overwrite is given, which erases everything first: stop every \
      node daemon before overwriting.
      """
  )

  @OptionGroup var connection: ConnectionOptions
  @OptionGroup var confirmation: ConfirmationOptions

  @Flag(name: [.short, .long], help: "Erase any existing cluster data first.")
  var overwrite = false

  func run() async throws {
    do {
      try confirmation.confirm(
        overwrite
          ? "Erase ALL data of the cluster and initialize it anew?"
          : "Initialize a new cluster?")
    } catch {
      throw fail(error)
    }
    try await withCluster(connection) { cluster in
      try await cluster.initialize(overwrite: overwrite)
      output("Successfully initialized cluster")
    }
  }
}
