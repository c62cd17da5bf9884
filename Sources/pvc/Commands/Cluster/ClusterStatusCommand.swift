import ArgumentParser
import Foundation
import PVCKit

/// `pvc cluster status`.
struct ClusterStatusCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "status",
    abstract: "Show the cluster's health, nodes, VMs and storage."
  )

  enum Format: String, ExpressibleByArgument, CaseIterable {
    case pretty, short, json
    case jsonPretty = "json-pretty"
  }

  @OptionGroup var connection: ConnectionOptions

  @Option(name: [.short, .long], help: "Output format: pretty, short, json or json-pretty.")
  var format: Format = .pretty

  func run() async throws {
    try await withCluster(connection) { cluster in
      let status = try await cluster.status()
      switch format {
      case .json, .jsonPretty:
        try printJSON(status, pretty: format == .jsonPretty)
      case .pretty, .short:
        output(StatusText(status: status, short: format == .short, colour: Terminal.colour).render())
      }
    }
  }
}
