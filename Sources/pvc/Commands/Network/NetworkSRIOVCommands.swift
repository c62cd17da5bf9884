import ArgumentParser
import PVCKit

/// `pvc network sriov`.
struct NetworkSRIOVCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "sriov", abstract: "Show a node's SR-IOV devices.", subcommands: [PF.self, VF.self])

  /// `pretty`, `json` or `json-pretty`.
  enum Format: String, ExpressibleByArgument, CaseIterable {
    case pretty, json
    case jsonPretty = "json-pretty"
  }

  struct PF: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "pf", abstract: "SR-IOV physical functions.", subcommands: [List.self])

    struct List: AsyncParsableCommand {
      static let configuration = CommandConfiguration(abstract: "List a node's PFs.")
      @OptionGroup var connection: ConnectionOptions
      @Argument(help: "The node.") var node: String
      @Option(name: [.short, .long], help: "Output format: pretty, json or json-pretty.") var format: Format = .pretty

      func run() async throws {
        try await withCluster(connection) { cluster in
          let pfs = try await cluster.networks.sriovPhysicalFunctions(node: node)
          guard format == .pretty else { return try printJSON(pfs, pretty: format == .jsonPretty) }
          var table = Table(header: ["PF", "MTU", "VFs"])
          for pf in pfs { table.rows.append([pf.phy, pf.mtu, pf.vfs.joined(separator: ",")]) }
          output(pfs.isEmpty ? "No SR-IOV PFs found on node \(node)." : table.render())
        }
      }
    }
  }

  struct VF: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "vf", abstract: "SR-IOV virtual functions.", subcommands: [List.self, Info.self])

    struct List: AsyncParsableCommand {
      static let configuration = CommandConfiguration(abstract: "List a node's VFs.")
      @OptionGroup var connection: ConnectionOptions
      @Argument(help: "The node.") var node: String
      @Argument(help: ArgumentHelp(OperationSpec.sriovVFList.help("pf"))) var pf: String?
      @Option(name: [.short, .long], help: "Output format: pretty, json or json-pretty.") var format: Format = .pretty

      func run() async throws {
        try await withCluster(connection) { cluster in
          let vfs = try await cluster.networks.sriovVirtualFunctions(node: node, pf: pf)
          guard format == .pretty else { return try printJSON(vfs, pretty: format == .jsonPretty) }
          var table = Table(header: ["VF", "PF", "MTU", "MAC", "VLAN", "Used by"])
          for vf in vfs {
            table.rows.append([
              vf.phy, vf.pf, String(vf.mtu), vf.mac, vf.config.vlanID, vf.usage.used ? vf.usage.domain : "N/A",
            ])
          }
          output(vfs.isEmpty ? "No SR-IOV VFs found on node \(node)." : table.render())
        }
      }
    }

    struct Info: AsyncParsableCommand {
      static let configuration = CommandConfiguration(abstract: "Show a VF's details.")
      @OptionGroup var connection: ConnectionOptions
      @Argument(help: "The node.") var node: String
      @Argument(help: "The VF.") var vf: String
      @Option(name: [.short, .long], help: "Output format: pretty, json or json-pretty.") var format: Format = .pretty

      func run() async throws {
        try await withCluster(connection) { cluster in
          guard
            let found = try await cluster.networks.sriovVirtualFunctions(node: node, pf: nil).first(where: {
              $0.phy == vf
            })
          else { throw NetworkError.vfNotFound(node: node, vf: vf) }
          guard format == .pretty else { return try printJSON(found, pretty: format == .jsonPretty) }
          output(
            """
            VF \(found.phy) of \(found.pf) on \(node): MTU \(found.mtu), MAC \(found.mac)
            VLAN \(found.config.vlanID) (QoS \(found.config.vlanQoS)), TX \(found.config.txRateMin)-\(found.config.txRateMax) Mbit/s, link \(found.config.linkState)
            spoof check \(found.config.spoofCheck), trust \(found.config.trust), query RSS \(found.config.queryRSS)
            used by \(found.usage.used ? found.usage.domain : "nothing")
            """)
        }
      }
    }
  }
}
