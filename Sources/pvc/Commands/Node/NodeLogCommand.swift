import ArgumentParser
import Foundation
import PVCKit

/// `pvc node log`.
struct NodeLogCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(commandName: "log", abstract: "Show a node daemon's recent log.")

  @OptionGroup var connection: ConnectionOptions
  @Argument(help: "The node (default: this host).") var node: String?
  @Option(name: [.short, .long], help: ArgumentHelp(OperationSpec.nodeLog.help("lines"))) var lines = 1000
  @Flag(name: [.short, .long], help: "Keep printing new lines.") var follow = false

  func validate() throws {
    guard lines > 0 else { throw ValidationError("--lines must be positive") }
  }

  func run() async throws {
    try await withCluster(connection) { cluster in
      let name = node ?? localNodeName()
      guard follow else { return output(try await cluster.nodes.log(name, lines: lines)) }
      for try await piece in cluster.nodes.followLog(name, lines: lines) { output(piece) }
    }
  }
}
