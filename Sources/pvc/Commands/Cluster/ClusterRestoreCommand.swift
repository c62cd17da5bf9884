import ArgumentParser
import Foundation
import PVCKit

/// `pvc cluster restore`: replaces the cluster tree with a backup.
struct ClusterRestoreCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "restore",
    abstract: "Restore a JSON backup over the cluster.",
    discussion: """
      Makes the cluster state equal to the backup: existing data not in the backup is \
      deleted. The backup must have the cluster's schema version. Stop every node daemon first.
      """
  )

  @OptionGroup var connection: ConnectionOptions
  @OptionGroup var confirmation: ConfirmationOptions

  @Option(
    name: [.short, .customLong("filename"), .customLong("file")],
    help: ArgumentHelp("The backup file.", valueName: "file"))
  var filename: String

  func run() async throws {
    let backup: ClusterBackup
    do {
      guard let data = FileManager.default.contents(atPath: filename) else { throw CLIError("cannot read \(filename)") }
      backup = try ClusterBackup(json: data)
      try confirmation.confirm("Replace ALL cluster data with the backup in \(filename)?")
    } catch {
      throw fail(error)
    }
    try await withCluster(connection) { cluster in
      try await cluster.restore(backup)
      output("Restore completed successfully.")
    }
  }
}
