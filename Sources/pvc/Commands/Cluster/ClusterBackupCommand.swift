import ArgumentParser
import Foundation
import PVCKit

/// `pvc cluster backup`: saves the cluster tree as JSON.
struct ClusterBackupCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "backup",
    abstract: "Save the whole cluster state as JSON.",
    discussion: "The file is in upstream PVC's backup format and can be restored with 'pvc cluster restore'."
  )

  @OptionGroup var connection: ConnectionOptions

  @Option(
    name: [.short, .long], help: ArgumentHelp("Write to this file instead of standard output.", valueName: "file"))
  var file: String?

  func run() async throws {
    try await withCluster(connection) { cluster in
      let data = try await cluster.backup().jsonData()
      if let file {
        guard FileManager.default.createFile(atPath: file, contents: data, attributes: [.posixPermissions: 0o600])
        else { throw CLIError("cannot write \(file)") }
      } else {
        FileHandle.standardOutput.write(data)
        output("")
      }
    }
  }
}
