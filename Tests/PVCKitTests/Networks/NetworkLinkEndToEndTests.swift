import Foundation
import PVCKitFixtures
import Testing

@testable import PVCKit

/// Client network links made by real node daemons inside the simulated nodes.
@Suite("Client networks on the nodes (one test at a time: each owns every node's links)", .serialized)
struct NetworkLinkEndToEndTests {
  /// The node's links, as its kernel shows them.
  static func links(_ node: String) -> [String: LinkState] {
    guard let shown = try? SimulatedNodes.inside(node, ["ip", "-details", "-json", "link", "show"]), shown.status == 0
    else { return [:] }
    return Dictionary(LinkState.parse(shown.output).map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
  }

  /// Whether the kernel makes VLAN devices (these machines' kernel has no 8021q).
  static var kernelHasVLANs: Bool {
    guard (try? TestServices.runTool("/usr/sbin/ip", ["netns", "add", "pvckit-vlan-probe"]))?.status == 0 else {
      return false
    }
    defer { _ = try? TestServices.runTool("/usr/sbin/ip", ["netns", "del", "pvckit-vlan-probe"]) }
    let made = try? TestServices.runTool(
      "/usr/sbin/ip",
      ["netns", "exec", "pvckit-vlan-probe", "ip", "link", "add", "v9", "link", "lo", "type", "vlan", "id", "9"])
    return made?.status == 0
  }

  @Test("every node makes, mends and removes its networks' links, and leaves other links alone")
  func links() async throws {
    let vlans = Self.kernelHasVLANs
    let configuration = SimulatedNodeConfiguration.text(nodeNet: NodeCluster.nodeNet, networking: true)
    try await NodeCluster.with(configuration: configuration) { nodes in
      let cluster = nodes.cluster
      let nodeNames = ["hv1", "hv2", "hv3"]
      // A link of someone else's, named like none of PVCKit's.
      _ = try SimulatedNodes.inside("hv2", ["ip", "link", "add", "vmbrkeep", "type", "bridge"])
      try await cluster.networks.add(
        NetworkDefinition(
          vni: 1100, description: "e2e-managed", type: .managed, ip4Network: "10.110.0.0/24",
          ip4Gateway: "10.110.0.1"))
      try await cluster.networks.add(NetworkDefinition(vni: 1200, description: "e2e-bridged", type: .bridged))
      @Sendable func ready(_ node: String) -> Bool {
        let links = Self.links(node)
        return links["vxlan1100"]?.kind
          == .vxlan(id: 1100, device: "hvnet0", local: "\(NodeCluster.nodeNet).\(SimulatedNodes.number(node))")
          && links["vxlan1100"]?.master == "vmbr1100"
          && links["vxlan1100"]?.mtu == 1450 && links["vmbr1100"]?.isUp == true
          && links["vmbr1200"]?.isUp == true
          && (!vlans
            || (links["vlan1200"]?.kind == .vlan(id: 1200, device: "hvnet0") && links["vlan1200"]?.master == "vmbr1200"))
      }
      for node in nodeNames {
        #expect(
          try await eventually(timeout: .seconds(20)) { ready(node) }, "\(node): \(Self.links(node).keys.sorted())")
      }
      // Every node loads the managed network's firewall rules into its own nftables.
      try await cluster.networks.addACL(
        1100, description: "no-ssh", direction: .inbound, order: nil, rule: "tcp dport 22 drop")
      let primary = try #require(try await cluster.nodes.primary())
      #expect(
        try await eventually(timeout: .seconds(20)) {
          let table = try? SimulatedNodes.inside(primary, ["nft", "list", "table", "inet", "pvckit"])
          return table?.output.contains("chain vxlan1100-in") == true && table?.output.contains("tcp dport 22") == true
        }, "firewall on \(primary)")
      // The primary holds the gateway address; the other nodes do not.
      #expect(
        try await eventually(timeout: .seconds(20)) {
          (try? SimulatedNodes.inside(primary, ["ip", "address", "show", "dev", "vmbr1100"]))?.output.contains(
            "10.110.0.1/24") == true
        }, "gateway on \(primary)")
      for node in nodeNames where node != primary {
        #expect(
          (try? SimulatedNodes.inside(node, ["ip", "address", "show", "dev", "vmbr1100"]))?.output.contains(
            "10.110.0.1")
            == false)
      }
      // The role moves: the gateway goes with it (the firewall is loaded on every node).
      let next = try #require(nodeNames.first { $0 != primary })
      _ = try await cluster.nodes.setCoordinatorState(next, .primary, wait: true)
      #expect(
        try await eventually(timeout: .seconds(20)) {
          let here = (try? SimulatedNodes.inside(next, ["ip", "address", "show", "dev", "vmbr1100"]))?.output ?? ""
          let there = (try? SimulatedNodes.inside(primary, ["ip", "address", "show", "dev", "vmbr1100"]))?.output ?? ""
          let table = (try? SimulatedNodes.inside(next, ["nft", "list", "table", "inet", "pvckit"]))?.output ?? ""
          return here.contains("10.110.0.1/24") && !there.contains("10.110.0.1") && table.contains("tcp dport 22")
        }, "gateway moved (firewall present) from \(primary) to \(next)")
      // Deleted by hand: made again (at the latest by the periodic pass).
      _ = try SimulatedNodes.inside("hv2", ["ip", "link", "del", "vxlan1100"])
      #expect(try await eventually(timeout: .seconds(25)) { ready("hv2") })
      // A removed network's links go on every node; the foreign bridge stays.
      try await cluster.networks.remove(1200)
      for node in nodeNames {
        #expect(
          try await eventually(timeout: .seconds(20)) {
            Self.links(node)["vlan1200"] == nil && Self.links(node)["vmbr1200"] == nil
          }, "\(node)")
      }
      #expect(Self.links("hv2")["vmbrkeep"] != nil)
      try await cluster.networks.remove(1100)
      for node in nodeNames {
        #expect(
          try await eventually(timeout: .seconds(20)) { Self.links(node).keys.allSatisfy { !$0.hasSuffix("1100") } })
      }
      _ = try SimulatedNodes.inside("hv2", ["ip", "link", "del", "vmbrkeep"])
    }
  }
}
