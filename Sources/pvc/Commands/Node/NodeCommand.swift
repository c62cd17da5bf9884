import ArgumentParser
import Foundation
import PVCKit

/// `pvc node`.
struct NodeCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "node", abstract: "Manage the cluster's nodes.",
    subcommands: [
      NodeListCommand.self, NodeInfoCommand.self, NodeFlushCommand.self, NodeReadyCommand.self, NodeRoleCommand.self,
      NodeSecondaryCommand.self, NodeIsPrimaryCommand.self, NodeLogCommand.self,
    ])
}

/// `pvc node list`.
struct NodeListCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(commandName: "list", abstract: "List the nodes.")

  @OptionGroup var connection: ConnectionOptions
  @Argument(help: "Only nodes whose name matches this pattern.") var limit: String?
  @Option(
    name: [.customLong("ds", withSingleDash: true), .customLong("daemon-state")],
    help: ArgumentHelp(OperationSpec.nodeList.help("daemon_state")))
  var daemonState: String?
  @Option(
    name: [.customLong("cs", withSingleDash: true), .customLong("coordinator-state")],
    help: ArgumentHelp(OperationSpec.nodeList.help("coordinator_state")))
  var coordinatorState: String?
  @Option(
    name: [.customLong("vs", withSingleDash: true), .customLong("domain-state")],
    help: ArgumentHelp(OperationSpec.nodeList.help("domain_state")))
  var domainState: String?
  @Option(name: [.short, .long], help: "Output format: pretty, raw, json or json-pretty.") var format: ListFormat =
    .pretty

  func run() async throws {
    try await withCluster(connection) { cluster in
      var filter = NodeFilter(limit: limit)
      filter.daemonState = daemonState.map { NodeDaemonState(rawValue: $0) }
      filter.coordinatorState = coordinatorState.map { NodeCoordinatorState(rawValue: $0) }
      filter.domainState = domainState.map { NodeDomainState(rawValue: $0) }
      let nodes = try await cluster.nodes.list(filter)
      guard !nodes.isEmpty else { throw CLIError("Node not found.", kind: .notFound) }
      switch format {
      case .json, .jsonPretty: try printJSON(nodes, pretty: format == .jsonPretty)
      case .raw: output(nodes.map(\.name).joined(separator: "\n"))
      case .pretty:
        var table = Table(header: [
          "Name", "Version", "Health", "Daemon", "Coordinator", "Domain", "VMs", "vCPUs", "Load", "Total", "Used",
          "Free", "Alloc", "Prov",
        ])
        let colour = table.colour
        for node in nodes { table.rows.append(Self.row(node, colour: colour)) }
        output(table.render())
      }
    }
  }
}

extension NodeListCommand {
  static func row(_ node: NodeInfo, colour: Bool) -> [String] {
    let version = node.pvcVersion.isEmpty ? "N/A" : node.pvcVersion
    let health = node.health.map { "\($0)%" } ?? "N/A"
    let states = [
      Terminal.paint(node.daemonState.rawValue, StateColour.daemon(node.daemonState), colour),
      Terminal.paint(node.coordinatorState.rawValue, StateColour.coordinator(node.coordinatorState), colour),
      Terminal.paint(node.domainState.rawValue, StateColour.domain(node.domainState), colour),
    ]
    let resources = [String(node.domainsCount), String(node.vcpu.allocated), String(format: "%.2f", node.load)]
    let memory = [
      node.memory.total, node.memory.used, node.memory.free, node.memory.allocated, node.memory.provisioned,
    ]
    return [node.name, version, health] + states + resources + memory.map(String.init)
  }
}

/// `pvc node info`.
struct NodeInfoCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(commandName: "info", abstract: "Show a node's details.")

  @OptionGroup var connection: ConnectionOptions
  @Argument(help: "The node (default: this host).") var node: String?
  @Option(name: [.short, .long], help: "Output format: pretty, long, json or json-pretty.") var format: InfoFormat =
    .pretty

  func run() async throws {
    let name = node ?? localNodeName()
    try await withCluster(connection) { cluster in
      let info = try await cluster.nodes.info(name)
      switch format {
      case .json, .jsonPretty: try printJSON(info, pretty: format == .jsonPretty)
      case .pretty, .long:
        var lines = [
          ("Name", info.name), ("PVC Version", info.pvcVersion), ("Health", info.health.map { "\($0)%" } ?? "N/A"),
          ("", ""),
          ("Daemon State", info.daemonState.rawValue), ("Coordinator State", info.coordinatorState.rawValue),
          ("Domain State", info.domainState.rawValue),
        ]
        if format == .long {
          lines += [
            ("", ""), ("Architecture", info.arch), ("Operating System", info.os), ("Kernel Version", info.kernel),
          ]
        }
        lines += [
          ("", ""), ("Active VM Count", String(info.domainsCount)), ("Host CPUs", String(info.vcpu.total)),
          ("vCPUs", String(info.vcpu.allocated)), ("Load", String(format: "%.2f", info.load)),
          ("Total RAM (MiB)", String(info.memory.total)), ("Used RAM (MiB)", String(info.memory.used)),
          ("Free RAM (MiB)", String(info.memory.free)), ("Allocated RAM (MiB)", String(info.memory.allocated)),
          ("Provisioned RAM (MiB)", String(info.memory.provisioned)),
        ]
        output(
          lines.map { $0.0.isEmpty ? "" : ($0.0 + ":").padding(toLength: 23, withPad: " ", startingAt: 0) + $0.1 }
            .joined(separator: "\n"))
      }
    }
  }
}
