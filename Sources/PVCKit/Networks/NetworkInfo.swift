import Foundation

/// How a client network reaches its VMs.
public enum NetworkType: String, Codable, Sendable, Hashable, CaseIterable {
  /// A VXLAN between the nodes, with PVC's gateway, DHCP, DNS and firewall.
  case managed
  /// A VLAN on the nodes' bridge device; routing and addresses are someone else's.
  case bridged
}

/// A client network, as upstream's API shows it (`GET /network`).
public struct NetworkInfo: Codable, Sendable, Hashable {
  /// IPv4 settings.
  public struct IPv4: Codable, Sendable, Hashable {
    public var network: String
    public var gateway: String
    public var dhcpFlag: Bool
    public var dhcpStart: String
    public var dhcpEnd: String

    /// IPv4 settings (empty strings: unset).
    public init(network: String, gateway: String, dhcpFlag: Bool, dhcpStart: String, dhcpEnd: String) {
      self.network = network
      self.gateway = gateway
      self.dhcpFlag = dhcpFlag
      self.dhcpStart = dhcpStart
      self.dhcpEnd = dhcpEnd
    }

    enum CodingKeys: String, CodingKey {
      case network, gateway
      case dhcpFlag = "dhcp_flag"
      case dhcpStart = "dhcp_start"
      case dhcpEnd = "dhcp_end"
    }
  }

  /// IPv6 settings.
  public struct IPv6: Codable, Sendable, Hashable {
    public var network: String
    public var gateway: String
    public var dhcpFlag: Bool

    /// IPv6 settings (empty strings: unset).
    public init(network: String, gateway: String, dhcpFlag: Bool) {
      self.network = network
      self.gateway = gateway
      self.dhcpFlag = dhcpFlag
    }

    enum CodingKeys: String, CodingKey {
      case network, gateway
      case dhcpFlag = "dhcp_flag"
    }
  }

  public var vni: Int
  public var description: String
  public var type: NetworkType
  /// The MTU, when one was set.
  public var mtu: Int?
  public var domain: String
  public var nameServers: [String]
  public var ip4: IPv4
  public var ip6: IPv6

  enum CodingKeys: String, CodingKey {
    case vni, description, type, mtu, domain, ip4, ip6
    case nameServers = "name_servers"
  }

  /// Creates a network's information.
  public init(
    vni: Int, description: String, type: NetworkType, mtu: Int? = nil, domain: String = "", nameServers: [String] = [],
    ip4: IPv4 = .init(network: "", gateway: "", dhcpFlag: false, dhcpStart: "", dhcpEnd: ""),
    ip6: IPv6 = .init(network: "", gateway: "", dhcpFlag: false)
  ) {
    self.vni = vni
    self.description = description
    self.type = type
    self.mtu = mtu
    self.domain = domain
    self.nameServers = nameServers
    self.ip4 = ip4
    self.ip6 = ip6
  }

  /// Upstream sends an unset MTU as an empty string.
  public func encode(to encoder: any Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(vni, forKey: .vni)
    try c.encode(description, forKey: .description)
    try c.encode(type, forKey: .type)
    if let mtu { try c.encode(mtu, forKey: .mtu) } else { try c.encode("", forKey: .mtu) }
    try c.encode(domain, forKey: .domain)
    try c.encode(nameServers, forKey: .nameServers)
    try c.encode(ip4, forKey: .ip4)
    try c.encode(ip6, forKey: .ip6)
  }

  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    vni = try c.decode(Int.self, forKey: .vni)
    description = try c.decode(String.self, forKey: .description)
    type = try c.decode(NetworkType.self, forKey: .type)
    mtu = (try? c.decode(Int.self, forKey: .mtu)) ?? (try? c.decode(String.self, forKey: .mtu)).flatMap { Int($0) }
    domain = try c.decodeIfPresent(String.self, forKey: .domain) ?? ""
    nameServers = try c.decodeIfPresent([String].self, forKey: .nameServers) ?? []
    ip4 = try c.decode(IPv4.self, forKey: .ip4)
    ip6 = try c.decode(IPv6.self, forKey: .ip6)
  }
}

extension NetworkInfo {
  /// The information in a network's record (`nil` when it has no type: not a network).
  init?(vni: Int, record: Record<NetworkKey>) {
    guard let type = record[.type].flatMap(NetworkType.init(rawValue:)) else { return nil }
    func flag(_ key: NetworkKey) -> Bool { (record[key] ?? "").lowercased() == "true" }
    self.init(
      vni: vni, description: record[.root] ?? "", type: type,
      mtu: record[.mtu].flatMap { Int($0) }.flatMap { (1...65535).contains($0) ? $0 : nil },
      domain: record[.domain] ?? "",
      nameServers: (record[.nameServers] ?? "").split(separator: ",").map {
        $0.trimmingCharacters(in: .whitespaces)
      }.filter { !$0.isEmpty },
      ip4: IPv4(
        network: record[.ip4Network] ?? "", gateway: record[.ip4Gateway] ?? "", dhcpFlag: flag(.ip4DHCP),
        dhcpStart: record[.ip4DHCPStart] ?? "", dhcpEnd: record[.ip4DHCPEnd] ?? ""),
      ip6: IPv6(network: record[.ip6Network] ?? "", gateway: record[.ip6Gateway] ?? "", dhcpFlag: flag(.ip6DHCP)))
  }
}
