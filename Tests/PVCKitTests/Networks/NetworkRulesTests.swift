import PVCKit
import Testing

/// What makes a network acceptable (pure; the operations run these checks before writing).
@Suite("Network rules")
struct NetworkRulesTests {
  static let good = NetworkDefinition(
    vni: 100, description: "office", type: .managed, mtu: 1400, domain: "office.example", nameServers: ["10.100.0.1"],
    ip4Network: "10.100.0.0/24", ip4Gateway: "10.100.0.1", dhcp4: true, dhcp4Start: "10.100.0.100",
    dhcp4End: "10.100.0.199", ip6Network: "fd00:100::/64", ip6Gateway: "fd00:100::1")

  @Test("addresses and networks parse strictly")
  func parsing() {
    #expect(IPAddress("10.0.0.1")?.description == "10.0.0.1")
    #expect(IPAddress("fd00::1")?.description == "fd00::1")
    for bad in ["10.0.0", "10.0.0.256", "010.0.0.1", "10.0.0.1 ", "1.2.3.4.5", "::g", "", "10.0.0.-1"] {
      #expect(IPAddress(bad) == nil, "\(bad)")
    }
    #expect(IPNetwork("10.100.0.0/24") != nil)
    #expect(IPNetwork("10.100.0.1/24") == nil, "host bits set")
    #expect(IPNetwork("10.100.0.0/33") == nil)
    #expect(IPNetwork("10.100.0.0/24")!.overlaps(IPNetwork("10.0.0.0/8")!))
    #expect(!IPNetwork("10.100.0.0/24")!.overlaps(IPNetwork("10.101.0.0/24")!))
    #expect(IPNetwork("10.100.0.0/24")!.last.description == "10.100.0.255")
  }

  /// The good network with one change.
  static func changed(_ change: (inout NetworkDefinition) -> Void) -> NetworkDefinition {
    var definition = good
    change(&definition)
    return definition
  }

  @Test("good managed and bridged networks pass")
  func good() throws {
    try NetworkRules.check(Self.good.info, among: [])
    try NetworkRules.check(NetworkDefinition(vni: 4094, description: "vlan", type: .bridged).info, among: [])
  }

  @Test(
    "each bad value is refused with a message naming it",
    arguments: [
      (changed { d in d.vni = 0 }, "VNI 0"),
      (changed { d in d.description = "" }, "description"),
      (changed { d in d.description = "a\nb" }, "description"),
      (changed { d in d.mtu = 100 }, "MTU 100"),
      (changed { d in d.domain = "bad_domain!" }, "bad_domain!"),
      (changed { d in d.nameServers = ["dns.example"] }, "dns.example"),
      (changed { d in d.ip4Network = "10.100.0.1/24" }, "10.100.0.1/24"),
      (changed { d in d.ip4Gateway = "10.200.0.1" }, "10.200.0.1"),
      (changed { d in d.ip4Gateway = "10.100.0.255" }, "broadcast"),
      (changed { d in d.ip4Gateway = nil }, "gateway is required"),
      (changed { d in d.dhcp4End = "10.100.0.50" }, "starts (10.100.0.100) after"),
      (changed { d in d.dhcp4Start = "10.100.1.5" }, "10.100.1.5"),
      (changed { d in d.ip4Gateway = "10.100.0.150" }, "inside the DHCP range"),
      (changed { d in d.ip6Gateway = "fd00:200::1" }, "fd00:200::1"),
      (changed { d in d.ip6Network = "10.0.0.0/24" }, "IPv6 network"),
      (changed { d in d.type = .bridged }, "bridged network has no addresses"),
      (
        changed { d in
          d.type = .bridged
          d.vni = 5000
        }, "VNI 5000"
      ),
    ] as [(NetworkDefinition, String)])
  func refusals(definition: NetworkDefinition, named: String) {
    #expect {
      try NetworkRules.check(definition.info, among: [])
    } throws: { error in
      (error as? NetworkError).map { "\($0)".contains(named) && ErrorKind(of: $0) == .invalid } ?? false
    }
  }

  @Test("overlapping networks and duplicate descriptions are refused, naming the other network")
  func others() throws {
    let other = NetworkDefinition(
      vni: 200, description: "lab", type: .managed, ip4Network: "10.100.0.0/16", ip4Gateway: "10.100.255.254"
    ).info
    #expect(throws: NetworkError.invalid("10.100.0.0/24 overlaps network 200's 10.100.0.0/16")) {
      try NetworkRules.check(Self.good.info, among: [other])
    }
    var named = Self.good
    named.description = "lab"
    named.ip4Network = "10.50.0.0/24"
    named.ip4Gateway = "10.50.0.1"
    named.dhcp4 = false
    #expect(throws: NetworkError.invalid("the description \"lab\" is already network 200's")) {
      try NetworkRules.check(named.info, among: [other])
    }
    // A network is not compared with itself (a change to its own settings).
    try NetworkRules.check(other, among: [other])
  }
}
