import ArgumentParser
import PVCKit

/// `pvc network dhcp`.
struct NetworkDHCPCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "dhcp", abstract: "Manage a managed network's DHCP leases and static reservations.",
    subcommands: [List.self, Add.self, Remove.self])

  struct List: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List DHCP leases and reservations.")
    @OptionGroup var connection: ConnectionOptions
    @Argument(help: "The network's VNI.") var net: Int
    @Argument(help: ArgumentHelp(OperationSpec.networkLeaseList.help("limit"))) var limit: String?
    @Flag(name: [.short, .customLong("static")], help: ArgumentHelp(OperationSpec.networkLeaseList.help("static")))
    var staticOnly = false
    @Option(name: [.short, .long], help: "Output format: pretty, raw, json or json-pretty.") var format: ListFormat =
      .pretty

    func run() async throws {
      try await withCluster(connection) { cluster in
        let leases = try await cluster.networks.leases(net, limit: limit, staticOnly: staticOnly)
        switch format {
        case .json, .jsonPretty: try printJSON(leases, pretty: format == .jsonPretty)
        case .raw: output(leases.map(\.macAddress).joined(separator: "\n"))
        case .pretty:
          var table = Table(header: ["Hostname", "IP address", "MAC address", "Static", "Expires"])
          for lease in leases {
            table.rows.append([
              lease.hostname, lease.ip4Address, lease.macAddress, lease.isStatic ? "Yes" : "No",
              lease.isStatic ? "N/A" : String(lease.timestamp),
            ])
          }
          output(leases.isEmpty ? "No leases found." : table.render())
        }
      }
    }
  }

  struct Add: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Reserve an address for a MAC address.")
    @OptionGroup var connection: ConnectionOptions
    @Argument(help: "The network's VNI.") var net: Int
    @Argument(help: ArgumentHelp(OperationSpec.networkLeaseAdd.help("ipaddress"))) var ipaddr: String
    @Argument(help: ArgumentHelp(OperationSpec.networkLeaseAdd.help("hostname"))) var hostname: String
    @Argument(help: ArgumentHelp(OperationSpec.networkLeaseAdd.help("macaddress"))) var macaddr: String

    func run() async throws {
      try await withCluster(connection) { cluster in
        try await cluster.networks.addReservation(net, mac: macaddr, ip: ipaddr, hostname: hostname)
        output("Reserved \(ipaddr) for \(macaddr) in network \(net).")
      }
    }
  }

  struct Remove: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Remove a static reservation.")
    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var confirmation: ConfirmationOptions
    @Argument(help: "The network's VNI.") var net: Int
    @Argument(help: "The MAC address whose reservation goes.") var macaddr: String

    func run() async throws {
      do { try confirmation.confirm("Remove the reservation of \(macaddr) in network \(net)?") } catch {
        throw fail(error)
      }
      try await withCluster(connection) { cluster in
        try await cluster.networks.removeReservation(net, mac: macaddr)
        output("Removed the reservation of \(macaddr) in network \(net).")
      }
    }
  }
}
