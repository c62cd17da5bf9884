import ArgumentParser
import PVCKit

/// `pvc network`.
struct NetworkCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "network", abstract: "Manage client networks.",
    subcommands: [
      NetworkListCommand.self, NetworkInfoCommand.self, NetworkAddCommand.self, NetworkModifyCommand.self,
      NetworkRemoveCommand.self, NetworkDHCPCommand.self, NetworkACLCommand.self, NetworkSRIOVCommand.self,
    ])
}

/// `pvc network list`.
struct NetworkListCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(commandName: "list", abstract: "List networks.")
  @OptionGroup var connection: ConnectionOptions
  @Argument(help: ArgumentHelp(OperationSpec.networkList.help("limit"))) var limit: String?
  @Option(name: [.short, .long], help: "Output format: pretty, raw, json or json-pretty.") var format: ListFormat =
    .pretty

  func run() async throws {
    try await withCluster(connection) { cluster in
      let networks = try await cluster.networks.list(limit: limit)
      guard !networks.isEmpty else { throw CLIError("Network not found.", kind: .notFound) }
      switch format {
      case .json, .jsonPretty: try printJSON(networks, pretty: format == .jsonPretty)
      case .raw: output(networks.map { String($0.vni) }.joined(separator: "\n"))
      case .pretty:
        var table = Table(header: [
          "VNI", "Description", "Type", "MTU", "Domain", "IPv4 network", "IPv4 gateway", "DHCPv4", "IPv6 network",
        ])
        for network in networks {
          table.rows.append([
            String(network.vni), network.description, network.type.rawValue, network.mtu.map(String.init) ?? "Default",
            Self.shown(network.domain), Self.shown(network.ip4.network), Self.shown(network.ip4.gateway),
            network.ip4.dhcpFlag ? "\(network.ip4.dhcpStart)-\(network.ip4.dhcpEnd)" : "No",
            Self.shown(network.ip6.network),
          ])
        }
        output(table.render())
      }
    }
  }

  static func shown(_ text: String) -> String { text.isEmpty ? "N/A" : text }
}

/// `pvc network info`.
struct NetworkInfoCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(commandName: "info", abstract: "Show a network's details.")
  @OptionGroup var connection: ConnectionOptions
  @Argument(help: "The network's VNI.") var vni: Int
  @Option(name: [.short, .long], help: "Output format: pretty, long, json or json-pretty.") var format: InfoFormat =
    .pretty

  func run() async throws {
    try await withCluster(connection) { cluster in
      let network = try await cluster.networks.info(vni)
      switch format {
      case .json, .jsonPretty: try printJSON(network, pretty: format == .jsonPretty)
      case .pretty, .long:
        func field(_ label: String, _ value: String) -> String {
          (label + ":").padding(toLength: 18, withPad: " ", startingAt: 0) + (value.isEmpty ? "N/A" : value)
        }
        var lines = [
          Terminal.paint("Network information:", "1", Terminal.colour), "", field("VNI", String(network.vni)),
          field("Description", network.description), field("Type", network.type.rawValue),
          field("MTU", network.mtu.map(String.init) ?? "Default"),
        ]
        if network.type == .managed {
          lines += [
            field("Domain", network.domain), field("DNS servers", network.nameServers.joined(separator: ", ")),
            "", field("IPv4 network", network.ip4.network), field("IPv4 gateway", network.ip4.gateway),
            field("DHCPv4", network.ip4.dhcpFlag ? "\(network.ip4.dhcpStart) - \(network.ip4.dhcpEnd)" : "No"),
            field("IPv6 network", network.ip6.network), field("IPv6 gateway", network.ip6.gateway),
            field("DHCPv6", network.ip6.dhcpFlag ? "Yes" : "No"),
          ]
        }
        output(lines.joined(separator: "\n"))
      }
    }
  }
}
