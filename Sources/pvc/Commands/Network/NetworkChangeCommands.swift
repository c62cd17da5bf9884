import ArgumentParser
import PVCKit

/// The settings `pvc network add` and `modify` share, with upstream's option names.
struct NetworkSettingsOptions: ParsableArguments {
  static let spec = OperationSpec.networkModify
  @Option(name: [.short, .long], help: ArgumentHelp(spec.help("mtu"))) var mtu: String?
  @Option(name: [.customShort("n"), .long], help: ArgumentHelp(spec.help("domain"))) var domain: String?
  @Option(name: .customLong("dns-server"), help: ArgumentHelp(spec.help("name_servers"))) var dnsServers: [String] = []
  @Option(name: [.customShort("i"), .customLong("ipnet")], help: ArgumentHelp(spec.help("ip4_network")))
  var ipnet: String?
  @Option(name: .customLong("i6", withSingleDash: true), help: ArgumentHelp(spec.help("ip6_network")))
  var ipnet6Short: String?
  @Option(name: .customLong("ipnet6"), help: ArgumentHelp(spec.help("ip6_network"))) var ipnet6: String?
  @Option(name: [.customShort("g"), .customLong("gateway")], help: ArgumentHelp(spec.help("ip4_gateway")))
  var gateway: String?
  @Option(name: .customLong("g6", withSingleDash: true), help: ArgumentHelp(spec.help("ip6_gateway")))
  var gateway6Short: String?
  @Option(name: .customLong("gateway6"), help: ArgumentHelp(spec.help("ip6_gateway"))) var gateway6: String?
  @Flag(name: .customLong("dhcp"), help: ArgumentHelp(spec.help("dhcp4"))) var dhcp = false
  @Flag(name: .customLong("no-dhcp"), help: "Do not serve DHCPv4.") var noDHCP = false
  @Option(name: .customLong("dhcp-start"), help: ArgumentHelp(spec.help("dhcp4_start"))) var dhcpStart: String?
  @Option(name: .customLong("dhcp-end"), help: ArgumentHelp(spec.help("dhcp4_end"))) var dhcpEnd: String?

  func validate() throws {
    if dhcp && noDHCP { throw ValidationError("give --dhcp or --no-dhcp, not both") }
    if let mtu, !mtu.isEmpty, Int(mtu) == nil { throw ValidationError("the MTU must be a number, not '\(mtu)'") }
  }

  /// The MTU asked for: nil when not given, 0 to go back to the default.
  var mtuValue: Int? { mtu.map { Int($0) ?? 0 } }
  var dhcpValue: Bool? { dhcp ? true : (noDHCP ? false : nil) }
  var ip6Network: String? { ipnet6 ?? ipnet6Short }
  var ip6Gateway: String? { gateway6 ?? gateway6Short }
  var servers: [String] { dnsServers.flatMap { $0.split(separator: ",").map(String.init) } }
}

/// `pvc network add`.
struct NetworkAddCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(commandName: "add", abstract: "Add a client network.")
  @OptionGroup var connection: ConnectionOptions
  @Argument(help: ArgumentHelp(OperationSpec.networkAdd.help("vni"))) var vni: Int
  @Option(name: [.short, .long], help: ArgumentHelp(OperationSpec.networkAdd.help("description")))
  var description: String
  @Option(name: [.customShort("p"), .long], help: ArgumentHelp(OperationSpec.networkAdd.help("nettype")))
  var type: String
  @OptionGroup var settings: NetworkSettingsOptions

  func validate() throws {
    guard NetworkType(rawValue: type) != nil else { throw ValidationError("the type must be managed or bridged") }
  }

  func run() async throws {
    try await withCluster(connection) { cluster in
      try await cluster.networks.add(
        NetworkDefinition(
          vni: vni, description: description, type: NetworkType(rawValue: type) ?? .managed,
          mtu: settings.mtuValue.flatMap { $0 == 0 ? nil : $0 }, domain: settings.domain,
          nameServers: settings.servers, ip4Network: settings.ipnet, ip4Gateway: settings.gateway,
          dhcp4: settings.dhcpValue ?? false, dhcp4Start: settings.dhcpStart, dhcp4End: settings.dhcpEnd,
          ip6Network: settings.ip6Network, ip6Gateway: settings.ip6Gateway))
      output("Added network \(vni).")
    }
  }
}

/// `pvc network modify`.
struct NetworkModifyCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(commandName: "modify", abstract: "Change a client network.")
  @OptionGroup var connection: ConnectionOptions
  @Argument(help: "The network's VNI.") var vni: Int
  @Option(name: [.short, .long], help: ArgumentHelp(OperationSpec.networkModify.help("description")))
  var description: String?
  @OptionGroup var settings: NetworkSettingsOptions

  func run() async throws {
    try await withCluster(connection) { cluster in
      try await cluster.networks.modify(
        vni,
        NetworkChange(
          description: description, mtu: settings.mtuValue, domain: settings.domain,
          nameServers: settings.dnsServers.isEmpty ? nil : settings.servers, ip4Network: settings.ipnet,
          ip4Gateway: settings.gateway, dhcp4: settings.dhcpValue, dhcp4Start: settings.dhcpStart,
          dhcp4End: settings.dhcpEnd, ip6Network: settings.ip6Network, ip6Gateway: settings.ip6Gateway))
      output("Modified network \(vni).")
    }
  }
}

/// `pvc network remove`.
struct NetworkRemoveCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(commandName: "remove", abstract: "Remove a client network.")
  @OptionGroup var connection: ConnectionOptions
  @OptionGroup var confirmation: ConfirmationOptions
  @Argument(help: "The network's VNI.") var vni: Int

  func run() async throws {
    do { try confirmation.confirm("Remove network \(vni)?") } catch { throw fail(error) }
    try await withCluster(connection) { cluster in
      try await cluster.networks.remove(vni)
      output("Removed network \(vni).")
    }
  }
}
