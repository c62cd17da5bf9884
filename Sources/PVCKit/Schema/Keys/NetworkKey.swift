/// The keys of a client network (upstream element `network`, under `/networks/<vni>`).
public enum NetworkKey: SchemaKey {
  case root, type, mtu, rules, rulesIn, rulesOut, nameServers, domain, reservations, leases
  case ip4Gateway, ip4Network, ip4DHCP, ip4DHCPStart, ip4DHCPEnd, ip6Gateway, ip6Network, ip6DHCP

  public static let element = SchemaElement.network

  public var spec: KeySpec {
    switch self {
    case .root: KeySpec("vni", "")
    case .type: KeySpec("type", "/nettype")
    case .mtu: KeySpec("mtu", "/mtu", since: 6)
    case .rules: KeySpec("rule", "/firewall_rules")
    case .rulesIn: KeySpec("rule.in", "/firewall_rules/in")
    case .rulesOut: KeySpec("rule.out", "/firewall_rules/out")
    case .nameServers: KeySpec("nameservers", "/name_servers")
    case .domain: KeySpec("domain", "/domain")
    case .reservations: KeySpec("reservation", "/dhcp4_reservations", default: "static")
    case .leases: KeySpec("lease", "/dhcp4_leases")
    case .ip4Gateway: KeySpec("ip4.gateway", "/ip4_gateway")
    case .ip4Network: KeySpec("ip4.network", "/ip4_network")
    case .ip4DHCP: KeySpec("ip4.dhcp", "/dhcp4_flag", default: "False")
    case .ip4DHCPStart: KeySpec("ip4.dhcp_start", "/dhcp4_start")
    case .ip4DHCPEnd: KeySpec("ip4.dhcp_end", "/dhcp4_end")
    case .ip6Gateway: KeySpec("ip6.gateway", "/ip6_gateway")
    case .ip6Network: KeySpec("ip6.network", "/ip6_network")
    case .ip6DHCP: KeySpec("ip6.dhcp", "/dhcp6_flag", default: "False")
    }
  }
}

/// The keys of a static DHCP reservation (upstream element `reservation`).
public enum ReservationKey: SchemaKey {
  case root, ip, hostname
  public static let element = SchemaElement.reservation
  public var spec: KeySpec {
    switch self {
    case .root: KeySpec("mac", "")
    case .ip: KeySpec("ip", "/ipaddr")
    case .hostname: KeySpec("hostname", "/hostname")
    }
  }
}

/// The keys of a DHCP lease (upstream element `lease`).
public enum LeaseKey: SchemaKey {
  case root, ip, hostname, expiry, clientID
  public static let element = SchemaElement.lease
  public var spec: KeySpec {
    switch self {
    case .root: KeySpec("mac", "")
    case .ip: KeySpec("ip", "/ipaddr")
    case .hostname: KeySpec("hostname", "/hostname")
    case .expiry: KeySpec("expiry", "/expiry")
    case .clientID: KeySpec("client_id", "/clientid")
    }
  }
}

/// The keys of a firewall rule (upstream element `rule`, under `.../firewall_rules/{in,out}/<description>`).
public enum RuleKey: SchemaKey {
  case root, rule, order
  public static let element = SchemaElement.rule
  public var spec: KeySpec {
    switch self {
    case .root: KeySpec("description", "")
    case .rule: KeySpec("rule", "/rule")
    case .order: KeySpec("order", "/order")
    }
  }
}
