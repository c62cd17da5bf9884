import Testing

@testable import PVCKit

/// The plan that makes a node's links match its networks (pure).
@Suite("Network link plan")
struct NetworkLinkPlanTests {
  static let settings = NetworkLinkSettings(
    clusterDevice: "ens4", clusterMTU: 9000, bridgeDevice: "ens5", bridgeMTU: 1500)
  static let managed = NetworkDefinition(
    vni: 100, description: "m", type: .managed, ip4Network: "10.100.0.0/24", ip4Gateway: "10.100.0.1"
  ).info
  static let bridged = NetworkDefinition(vni: 200, description: "b", type: .bridged, mtu: 9000).info

  /// The links that a correct node shows.
  static let correct: [LinkState] = [
    LinkState(name: "vmbr100", kind: .bridge, master: nil, mtu: 8950, isUp: true),
    LinkState(
      name: "vxlan100", kind: .vxlan(id: 100, device: "ens4", local: ""), master: "vmbr100", mtu: 8950, isUp: true),
    LinkState(name: "vmbr200", kind: .bridge, master: nil, mtu: 1500, isUp: true),
    LinkState(name: "vlan200", kind: .vlan(id: 200, device: "ens5"), master: "vmbr200", mtu: 1500, isUp: true),
  ]

  @Test("ip's JSON is read: kinds, ids, devices, masters, MTUs and state")
  func parsing() {
    let json = """
      [{"ifname":"lo","flags":["LOOPBACK","UP"],"mtu":65536},
       {"ifname":"vxlan100","flags":["BROADCAST","UP"],"mtu":1450,"master":"vmbr100",
        "linkinfo":{"info_kind":"vxlan","info_data":{"id":100,"link":"hvnet0","port":4789}}},
       {"ifname":"vlan200","link":"hvnet0","flags":["BROADCAST"],"mtu":1500,
        "linkinfo":{"info_kind":"vlan","info_data":{"protocol":"802.1Q","id":200}}},
       {"ifname":"vmbr100","flags":["UP"],"mtu":1450,"linkinfo":{"info_kind":"bridge"}}, 42, {"mtu":1}]
      """
    let links = LinkState.parse(json)
    #expect(links.map(\.name) == ["lo", "vxlan100", "vlan200", "vmbr100"])
    #expect(
      links[1]
        == LinkState(
          name: "vxlan100", kind: .vxlan(id: 100, device: "hvnet0", local: ""), master: "vmbr100", mtu: 1450, isUp: true
        ))
    #expect(links[2].kind == .vlan(id: 200, device: "hvnet0") && !links[2].isUp)
    #expect(LinkState.parse("not json").isEmpty)
  }

  @Test("from nothing: bridges, then ports in them, MTU within the underlay")
  func fromNothing() {
    let commands = NetworkLinkPlan.commands(for: [Self.managed, Self.bridged], existing: [], settings: Self.settings)
    #expect(
      commands == [
        ["link", "add", "vmbr100", "type", "bridge"],
        ["link", "add", "vxlan100", "type", "vxlan", "id", "100", "dstport", "4789", "dev", "ens4", "nolearning"],
        ["link", "add", "vmbr200", "type", "bridge"],
        ["link", "add", "vlan200", "link", "ens5", "type", "vlan", "id", "200"],
        ["link", "set", "vmbr100", "mtu", "8950", "up"],
        ["link", "set", "vxlan100", "master", "vmbr100", "mtu", "8950", "up"],
        ["link", "set", "vxlan100", "type", "bridge_slave", "learning", "off"],
        // The bridged network asked for 9000; the bridge device allows 1500.
        ["link", "set", "vmbr200", "mtu", "1500", "up"],
        ["link", "set", "vlan200", "master", "vmbr200", "mtu", "1500", "up"],
      ])
  }

  @Test("a correct node needs nothing; others' links are never touched; stale and wrong links are mended")
  func mending() {
    let foreign = [
      LinkState(name: "eth0", kind: .other, master: nil, mtu: 1500, isUp: true),
      LinkState(name: "vmbrx", kind: .bridge, master: nil, mtu: 1500, isUp: true),
      LinkState(name: "vxlan-lab", kind: .vxlan(id: 7, device: "eth0", local: ""), master: nil, mtu: 1450, isUp: true),
    ]
    #expect(
      NetworkLinkPlan.commands(
        for: [Self.managed, Self.bridged], existing: Self.correct + foreign, settings: Self.settings
      )
      .isEmpty)
    var broken = Self.correct
    broken[1].mtu = 1400  // changed by hand
    broken[3] = LinkState(
      name: "vlan200", kind: .vlan(id: 201, device: "ens5"), master: "vmbr200", mtu: 1500, isUp: true)
    broken.append(LinkState(name: "vmbr999", kind: .bridge, master: nil, mtu: 1500, isUp: true))  // network gone
    let commands = NetworkLinkPlan.commands(
      for: [Self.managed, Self.bridged], existing: broken, settings: Self.settings)
    #expect(
      commands == [
        ["link", "del", "vlan200"], ["link", "del", "vmbr999"],
        ["link", "add", "vlan200", "link", "ens5", "type", "vlan", "id", "200"],
        ["link", "set", "vxlan100", "master", "vmbr100", "mtu", "8950", "up"],
        ["link", "set", "vxlan100", "type", "bridge_slave", "learning", "off"],
        ["link", "set", "vlan200", "master", "vmbr200", "mtu", "1500", "up"],
      ])
    // Every network removed: only PVCKit's links go.
    let removal = NetworkLinkPlan.commands(for: [], existing: Self.correct + foreign, settings: Self.settings)
    #expect(Set(removal.map { $0[2] }) == ["vmbr100", "vxlan100", "vmbr200", "vlan200"])
  }

  @Test("with a VTEP address, VXLANs are made with it as their source; one without it is made again")
  func vtepAddress() {
    var settings = Self.settings
    settings.vtepAddress = "10.0.0.7"
    let fresh = NetworkLinkPlan.commands(for: [Self.managed], existing: [], settings: settings)
    #expect(
      fresh.contains([
        "link", "add", "vxlan100", "type", "vxlan", "id", "100", "dstport", "4789", "dev", "ens4", "local", "10.0.0.7",
        "nolearning",
      ]))
    let old = NetworkLinkPlan.commands(for: [Self.managed], existing: Array(Self.correct.prefix(2)), settings: settings)
    #expect(old.first == ["link", "del", "vxlan100"])
    let json = """
      [{"ifname":"vxlan100","flags":["UP"],"mtu":1450,
        "linkinfo":{"info_kind":"vxlan","info_data":{"id":100,"local":"10.0.0.7","link":"ens4"}}}]
      """
    #expect(LinkState.parse(json).first?.kind == .vxlan(id: 100, device: "ens4", local: "10.0.0.7"))
  }
}
