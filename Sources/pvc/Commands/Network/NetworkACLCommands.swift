import ArgumentParser
import PVCKit

/// `pvc network acl`.
struct NetworkACLCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "acl", abstract: "Manage a managed network's firewall rules.",
    subcommands: [Add.self, List.self, Remove.self])

  /// `--in` or `--out`, as upstream spells them.
  struct Direction: ParsableArguments {
    @Flag(name: .customLong("in"), help: "Rules for traffic to the network's VMs (the default).") var inbound = false
    @Flag(name: .customLong("out"), help: "Rules for traffic from the network's VMs.") var outbound = false

    func validate() throws {
      if inbound && outbound { throw ValidationError("give --in or --out, not both") }
    }
    var value: Layout.RuleDirection? { outbound ? .outbound : (inbound ? .inbound : nil) }
  }

  struct Add: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Add a firewall rule.")
    @OptionGroup var connection: ConnectionOptions
    @Argument(help: "The network's VNI.") var net: Int
    @OptionGroup var direction: Direction
    @Option(name: [.short, .long], help: ArgumentHelp(OperationSpec.networkACLAdd.help("description")))
    var description: String
    @Option(name: [.short, .long], help: ArgumentHelp(OperationSpec.networkACLAdd.help("rule"))) var rule: String
    @Option(name: [.short, .long], help: ArgumentHelp(OperationSpec.networkACLAdd.help("order"))) var order: Int?

    func run() async throws {
      try await withCluster(connection) { cluster in
        try await cluster.networks.addACL(
          net, description: description, direction: direction.value ?? .inbound, order: order, rule: rule)
        output("Added firewall rule \"\(description)\" to network \(net).")
      }
    }
  }

  struct List: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List firewall rules.")
    @OptionGroup var connection: ConnectionOptions
    @Argument(help: "The network's VNI.") var net: Int
    @Argument(help: ArgumentHelp(OperationSpec.networkACLList.help("limit"))) var limit: String?
    @OptionGroup var direction: Direction
    @Option(name: [.short, .long], help: "Output format: pretty, raw, json or json-pretty.") var format: ListFormat =
      .pretty

    func run() async throws {
      try await withCluster(connection) { cluster in
        let acls = try await cluster.networks.acls(net, limit: limit, direction: direction.value)
        switch format {
        case .json, .jsonPretty: try printJSON(acls, pretty: format == .jsonPretty)
        case .raw: output(acls.map(\.description).joined(separator: "\n"))
        case .pretty:
          var table = Table(header: ["Direction", "Order", "Description", "Rule"])
          for acl in acls { table.rows.append([acl.direction, String(acl.order), acl.description, acl.rule]) }
          output(acls.isEmpty ? "No firewall rules found." : table.render())
        }
      }
    }
  }

  struct Remove: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Remove a firewall rule.")
    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var confirmation: ConfirmationOptions
    @Argument(help: "The network's VNI.") var net: Int
    @Argument(help: "The rule's description.") var rule: String

    func run() async throws {
      do { try confirmation.confirm("Remove firewall rule \(rule) of network \(net)?") } catch { throw fail(error) }
      try await withCluster(connection) { cluster in
        try await cluster.networks.removeACL(net, description: rule)
        output("Removed firewall rule \"\(rule)\" from network \(net).")
      }
    }
  }
}
