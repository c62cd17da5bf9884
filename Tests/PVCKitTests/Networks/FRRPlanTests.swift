import PVCKitFixtures
import Testing

@testable import PVCKit

/// The BGP EVPN configuration each node's FRR gets (pure).
@Suite("FRR plan")
struct FRRPlanTests {
  static func configuration(nodes: Int, coordinators: [String]) throws -> PVCConfiguration {
    let names = (1...nodes).map { "hv\($0)" }.joined(separator: ", ")
    let text = SimulatedNodeConfiguration.text(nodeNet: "10.9.0", nodes: nodes).replacingOccurrences(
      of: "coordinator_nodes: [\(names)]", with: "coordinator_nodes: [\(coordinators.joined(separator: ", "))]")
    return try PVCConfiguration.parse(text, file: "pvc.conf")
  }

  @Test("coordinators peer with every node and reflect to the others; other nodes peer with coordinators")
  func peers() throws {
    let configuration = try Self.configuration(nodes: 4, coordinators: ["hv1", "hv2", "hv3"])
    let coordinator = try #require(FRRPlan.from(configuration, node: "hv1", asn: 65500, directory: "/run/pvc/hv1/frr"))
    #expect(coordinator.peers.map(\.name) == ["hv2", "hv3", "hv4"])
    #expect(coordinator.peers.map(\.isReflectorClient) == [false, false, true])
    let text = coordinator.text
    let network = configuration.cluster.cluster.networkAddress.value
    let hv4 = IPv4Address(value: network + 4)
    #expect(text.contains("router bgp 65500\n bgp router-id \(IPv4Address(value: network + 1))"))
    #expect(text.contains("  neighbor \(hv4) activate\n  neighbor \(hv4) route-reflector-client"))
    #expect(text.contains("  advertise-all-vni"))
    #expect(!text.contains("neighbor \(IPv4Address(value: network + 1)) "))
    let hypervisor = try #require(FRRPlan.from(configuration, node: "hv4", asn: 65500, directory: "/x"))
    #expect(hypervisor.peers.map(\.name) == ["hv1", "hv2", "hv3"])
    #expect(hypervisor.peers.allSatisfy { !$0.isReflectorClient })
    #expect(hypervisor.arguments("bgpd").contains("/x/bgpd.pid"))
    #expect(hypervisor.arguments("zebra").starts(with: ["-d", "-f", "/x/frr.conf"]))
  }

  @Test("names that are not host names do not reach FRR's configuration")
  func hostileNames() {
    let plan = FRRPlan(
      node: "hv1\nrouter bgp 1", address: IPv4Address(value: 0x0A00_0001), asn: 65500,
      peers: [.init(name: "x y", address: IPv4Address(value: 0x0A00_0002), isReflectorClient: false)],
      directory: "/d")
    #expect(!plan.text.contains("router bgp 1\n"))
    #expect(plan.text.contains("hostname pvc-node"))
    #expect(plan.text.contains("description node\n"))
  }
}
