import ArgumentParser
import Foundation
import PVCKit

/// The short host name, the default node of node commands.
func localNodeName() -> String {
  ProcessInfo.processInfo.hostName.split(separator: ".").first.map(String.init) ?? ""
}

/// `pvc node flush`.
struct NodeFlushCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "flush", abstract: "Take a node out of service: move its VMs to other nodes.",
    discussion: "VMs that no other node can take are shut down and start again when the node is ready.")
  @OptionGroup var connection: ConnectionOptions
  @Argument(help: "The node (default: this host).") var node: String?
  @Flag(name: [.short, .long], help: ArgumentHelp(OperationSpec.nodeSetDomainState.help("wait"))) var wait = false

  func run() async throws {
    try await withCluster(connection) { cluster in
      let name = node ?? localNodeName()
      output(
        try await Progress.spinning(wait ? "Flushing node \(name)" : "") {
          try await cluster.nodes.setDomainState(name, .flush, wait: wait)
        })
    }
  }
}

/// `pvc node ready` (also `unflush`).
struct NodeReadyCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "ready", abstract: "Return a node to service: bring back the VMs a flush moved away.",
    aliases: ["unflush"])
  @OptionGroup var connection: ConnectionOptions
  @Argument(help: "The node (default: this host).") var node: String?
  @Flag(name: [.short, .long], help: ArgumentHelp(OperationSpec.nodeSetDomainState.help("wait"))) var wait = false

  func run() async throws {
    try await withCluster(connection) { cluster in
      let name = node ?? localNodeName()
      output(
        try await Progress.spinning(wait ? "Readying node \(name)" : "") {
          try await cluster.nodes.setDomainState(name, .ready, wait: wait)
        })
    }
  }
}

/// `pvc node primary` and `pvc node secondary`.
struct NodeRoleCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "primary", abstract: "Make a coordinator the primary coordinator.")
  @OptionGroup var connection: ConnectionOptions
  @Argument(help: "The node (default: this host).") var node: String?
  @Flag(name: [.short, .long], help: "Wait until the node is primary.") var wait = false

  func run() async throws { try await setRole(.primary, node: node, wait: wait, connection) }
}

/// `pvc node secondary`.
struct NodeSecondaryCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "secondary", abstract: "Ask the primary coordinator to hand its role to another coordinator.")
  @OptionGroup var connection: ConnectionOptions
  @Argument(help: "The node (default: this host).") var node: String?
  @Flag(name: [.short, .long], help: "Wait until the node is secondary.") var wait = false

  func run() async throws { try await setRole(.secondary, node: node, wait: wait, connection) }
}

/// `pvc node is-primary`.
struct NodeIsPrimaryCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "is-primary", abstract: "Tell whether a node is the primary coordinator (exit status 0 if so).")
  @OptionGroup var connection: ConnectionOptions
  @Argument(help: "The node (default: this host).") var node: String?

  func run() async throws {
    let name = node ?? localNodeName()
    var primary: String?
    try await withCluster(connection) { cluster in primary = try await cluster.nodes.primary() }
    output(primary == name ? "\(name) is the primary coordinator" : "\(name) is not the primary coordinator")
    if primary != name { throw ExitCode.failure }
  }
}

extension AsyncParsableCommand {
  func setRole(_ role: NodeCoordinatorRole, node: String?, wait: Bool, _ connection: ConnectionOptions) async throws {
    try await withCluster(connection) { cluster in
      output(try await cluster.nodes.setCoordinatorState(node ?? localNodeName(), role, wait: wait))
    }
  }
}
