/// A new client network (`pvc network add`, `POST /network`).
public struct NetworkDefinition: Sendable, Hashable {
  public var vni: Int
  public var description: String
  public var type: NetworkType
  public var mtu: Int?
  public var domain: String?
  public var nameServers: [String]
  public var ip4Network: String?
  public var ip4Gateway: String?
  public var dhcp4: Bool
  public var dhcp4Start: String?
  public var dhcp4End: String?
  public var ip6Network: String?
  public var ip6Gateway: String?

  /// Describes a network; addresses and DHCP only for a managed one.
  public init(
    vni: Int, description: String, type: NetworkType, mtu: Int? = nil, domain: String? = nil,
    nameServers: [String] = [], ip4Network: String? = nil, ip4Gateway: String? = nil, dhcp4: Bool = false,
    dhcp4Start: String? = nil, dhcp4End: String? = nil, ip6Network: String? = nil, ip6Gateway: String? = nil
  ) {
    self.vni = vni
    self.description = description
    self.type = type
    self.mtu = mtu
    self.domain = domain
    self.nameServers = nameServers
    self.ip4Network = ip4Network
    self.ip4Gateway = ip4Gateway
    self.dhcp4 = dhcp4
    self.dhcp4Start = dhcp4Start
    self.dhcp4End = dhcp4End
    self.ip6Network = ip6Network
    self.ip6Gateway = ip6Gateway
  }

  /// The network it describes.
  public var info: NetworkInfo {
    NetworkInfo(
      vni: vni, description: description, type: type, mtu: mtu, domain: domain ?? "", nameServers: nameServers,
      ip4: .init(
        network: ip4Network ?? "", gateway: ip4Gateway ?? "", dhcpFlag: dhcp4, dhcpStart: dhcp4Start ?? "",
        dhcpEnd: dhcp4End ?? ""),
      ip6: .init(network: ip6Network ?? "", gateway: ip6Gateway ?? "", dhcpFlag: !(ip6Network ?? "").isEmpty))
  }
}

/// Changes to a network (`pvc network modify`, `PUT /network/{vni}`); `nil`
/// leaves a value as it is, an empty string clears it.
public struct NetworkChange: Sendable, Hashable {
  public var description: String?
  public var mtu: Int?
  public var domain: String?
  public var nameServers: [String]?
  public var ip4Network: String?
  public var ip4Gateway: String?
  public var dhcp4: Bool?
  public var dhcp4Start: String?
  public var dhcp4End: String?
  public var ip6Network: String?
  public var ip6Gateway: String?

  /// Describes a change.
  public init(
    description: String? = nil, mtu: Int? = nil, domain: String? = nil, nameServers: [String]? = nil,
    ip4Network: String? = nil, ip4Gateway: String? = nil, dhcp4: Bool? = nil, dhcp4Start: String? = nil,
    dhcp4End: String? = nil, ip6Network: String? = nil, ip6Gateway: String? = nil
  ) {
    self.description = description
    self.mtu = mtu
    self.domain = domain
    self.nameServers = nameServers
    self.ip4Network = ip4Network
    self.ip4Gateway = ip4Gateway
    self.dhcp4 = dhcp4
    self.dhcp4Start = dhcp4Start
    self.dhcp4End = dhcp4End
    self.ip6Network = ip6Network
    self.ip6Gateway = ip6Gateway
  }

  /// Nothing would change.
  public var isEmpty: Bool { self == NetworkChange() }

  /// `network` with these changes.
  public func applied(to network: NetworkInfo) -> NetworkInfo {
    var info = network
    if let description { info.description = description }
    if let mtu { info.mtu = mtu == 0 ? nil : mtu }
    if let domain { info.domain = domain }
    if let nameServers { info.nameServers = nameServers }
    if let ip4Network { info.ip4.network = ip4Network }
    if let ip4Gateway { info.ip4.gateway = ip4Gateway }
    if let dhcp4 { info.ip4.dhcpFlag = dhcp4 }
    if let dhcp4Start { info.ip4.dhcpStart = dhcp4Start }
    if let dhcp4End { info.ip4.dhcpEnd = dhcp4End }
    if let ip6Network {
      info.ip6.network = ip6Network
      info.ip6.dhcpFlag = !ip6Network.isEmpty
    }
    if let ip6Gateway { info.ip6.gateway = ip6Gateway }
    return info
  }
}
