/// What makes a network acceptable, as a pure function of the network and the
/// cluster's other networks (tested directly, used before anything is written).
public enum NetworkRules {
  /// VXLAN network identifiers.
  public static let managedVNIs = 1...16_777_215
  /// VLAN IDs (a bridged network's VNI is its VLAN).
  public static let bridgedVNIs = 1...4094
  /// MTUs accepted (the underlay's limit is checked by the node that makes the link).
  public static let mtus = 576...9216

  /// Refuses `network` with the first problem found, naming the value.
  public static func check(_ network: NetworkInfo, among others: [NetworkInfo]) throws(NetworkError) {
    let vnis = network.type == .managed ? managedVNIs : bridgedVNIs
    guard vnis.contains(network.vni) else {
      throw .invalid(
        "VNI \(network.vni) is outside \(vnis.lowerBound)-\(vnis.upperBound) for a \(network.type) network")
    }
    try checkText(network.description, "description")
    if let clash = others.first(where: { $0.vni != network.vni && $0.description == network.description }) {
      throw .invalid("the description \"\(network.description)\" is already network \(clash.vni)'s")
    }
    if let mtu = network.mtu, !mtus.contains(mtu) {
      throw .invalid("MTU \(mtu) is outside \(mtus.lowerBound)-\(mtus.upperBound)")
    }
    if !network.domain.isEmpty, !isDomain(network.domain) {
      throw .invalid("'\(shown(network.domain))' is not a DNS domain")
    }
    for server in network.nameServers where IPAddress(server) == nil {
      throw .invalid("name server '\(shown(server))' is not an IP address")
    }
    if network.type == .bridged {
      let l3 = [network.ip4.network, network.ip4.gateway, network.ip6.network, network.ip6.gateway, network.domain]
      guard l3.allSatisfy(\.isEmpty), !network.ip4.dhcpFlag else {
        throw .invalid("a bridged network has no addresses, DHCP or domain of PVC's (they belong to its router)")
      }
      return
    }
    try checkIPv4(network)
    try checkIPv6(network)
    for other in others where other.vni != network.vni {
      for (mine, theirs) in [(network.ip4.network, other.ip4.network), (network.ip6.network, other.ip6.network)] {
        if let a = IPNetwork(mine), let b = IPNetwork(theirs), a.overlaps(b) {
          throw .invalid("\(mine) overlaps network \(other.vni)'s \(theirs)")
        }
      }
    }
  }

  private static func checkIPv4(_ network: NetworkInfo) throws(NetworkError) {
    let ip4 = network.ip4
    guard !ip4.network.isEmpty else {
      guard ip4.gateway.isEmpty, !ip4.dhcpFlag, ip4.dhcpStart.isEmpty, ip4.dhcpEnd.isEmpty else {
        throw .invalid("an IPv4 gateway or DHCP needs an IPv4 network")
      }
      return
    }
    guard let subnet = IPNetwork(ip4.network), subnet.isV4, (8...30).contains(subnet.prefixLength) else {
      throw .invalid("'\(shown(ip4.network))' is not an IPv4 network of prefix 8 to 30 (such as 10.100.0.0/24)")
    }
    let gateway = try host(ip4.gateway, in: subnet, "IPv4 gateway", required: true)
    guard ip4.dhcpFlag else { return }
    guard let start = try host(ip4.dhcpStart, in: subnet, "DHCP start", required: true),
      let end = try host(ip4.dhcpEnd, in: subnet, "DHCP end", required: true)
    else { return }
    guard start <= end else { throw .invalid("the DHCP range starts (\(start)) after it ends (\(end))") }
    if let gateway, start <= gateway && gateway <= end {
      throw .invalid("the gateway \(gateway) is inside the DHCP range \(start)-\(end)")
    }
  }

  private static func checkIPv6(_ network: NetworkInfo) throws(NetworkError) {
    let ip6 = network.ip6
    guard !ip6.network.isEmpty else {
      guard ip6.gateway.isEmpty else { throw .invalid("an IPv6 gateway needs an IPv6 network") }
      return
    }
    guard let subnet = IPNetwork(ip6.network), !subnet.isV4, (48...126).contains(subnet.prefixLength) else {
      throw .invalid("'\(shown(ip6.network))' is not an IPv6 network of prefix 48 to 126 (such as fd00:100::/64)")
    }
    _ = try host(ip6.gateway, in: subnet, "IPv6 gateway", required: true)
  }

  /// An address of a host of `subnet` (not its first or, for IPv4, last address).
  private static func host(_ text: String, in subnet: IPNetwork, _ what: String, required: Bool) throws(NetworkError)
    -> IPAddress?
  {
    guard !text.isEmpty else {
      if required { throw .invalid("the \(what) is required with the network \(subnet)") }
      return nil
    }
    guard let address = IPAddress(text), subnet.contains(address) else {
      throw .invalid("the \(what) '\(shown(text))' is not an address inside \(subnet)")
    }
    guard address != subnet.address, !(subnet.isV4 && address == subnet.last) else {
      throw .invalid("the \(what) \(address) is the network's own or broadcast address")
    }
    return address
  }

  private static func checkText(_ text: String, _ what: String) throws(NetworkError) {
    guard !text.isEmpty, text.utf8.count <= 255,
      !text.unicodeScalars.contains(where: { $0.properties.generalCategory == .control })
    else { throw .invalid("the \(what) must be 1 to 255 bytes of text on one line") }
  }

  /// A DNS name: labels of letters, digits and hyphens (not at either end), 1-63 each, 253 in all.
  static func isDomain(_ name: String) -> Bool {
    let trimmed = name.hasSuffix(".") ? String(name.dropLast()) : name
    guard !trimmed.isEmpty, trimmed.utf8.count <= 253 else { return false }
    return trimmed.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { label in
      (1...63).contains(label.utf8.count) && label.first != "-" && label.last != "-"
        && label.utf8.allSatisfy {
          ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2D
        }
    }
  }

  static func shown(_ text: String) -> String { OperationParameter.shown(text) }
}
