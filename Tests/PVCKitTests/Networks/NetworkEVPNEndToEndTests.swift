import Foundation
import PVCKitFixtures
import Testing

@testable import PVCKit

extension NetworkLinkEndToEndTests {
  /// The forwarding entries of a node's VXLAN that FRR installed from BGP EVPN routes.
  static func evpnEntries(_ node: String, vni: Int) -> [String] {
    let shown = try? SimulatedNodes.inside(node, ["bridge", "fdb", "show", "dev", "vxlan\(vni)"])
    return (shown?.output ?? "").split(separator: "\n").map(String.init).filter { $0.contains("extern_learn") }
  }

  @Test(
    "guests on different nodes get leases from the primary and reach each other over VXLAN learned through EVPN; ACLs filter them; a handover moves DHCP; a restarted pvcd repairs a link"
  )
  func evpnAcrossNodes() async throws {
    let configuration = SimulatedNodeConfiguration.text(nodeNet: NodeCluster.nodeNet, networking: true)
    try await NodeCluster.with(configuration: configuration) { nodes in
      let cluster = nodes.cluster
      let vni = 1400
      try await cluster.networks.add(Self.dhcpNetwork(vni))
      let primary = try #require(try await cluster.nodes.primary())
      let others = ["hv1", "hv2", "hv3"].filter { $0 != primary }
      for node in ["hv1", "hv2", "hv3"] {
        #expect(try await eventually(timeout: .seconds(20)) { Self.links(node)["vmbr\(vni)"]?.isUp == true }, "\(node)")
      }
      let first = try NetworkGuest.plug("ev1", into: others[0], vni: vni, mac: "52:54:00:14:00:01")
      let second = try NetworkGuest.plug("ev2", into: others[1], vni: vni, mac: "52:54:00:14:00:02")
      defer {
        first.remove()
        second.remove()
      }
      // DHCP broadcasts reach the primary only through the flood lists EVPN's type-3 routes make.
      let firstAddress = try #require(
        try await first.dhcp(hostname: "ev1", tries: 40),
        "ev1 got no lease from \(primary): \(nodes.daemonLog(others[0]).split(separator: "\n").filter { $0.contains("frr") })"
      )
      let secondAddress = try #require(try await second.dhcp(hostname: "ev2", tries: 40), "ev2 got no lease")
      #expect(
        try await eventually(timeout: .seconds(20)) {
          let there = await first.ping(secondAddress)
          let back = await second.ping(firstAddress)
          return there && back
        },
        "\(others[0]) ⇄ \(others[1])")
      #expect(await first.ping("10.140.0.1"), "the gateway on \(primary) answers")
      // An ACL drops the network's inbound ICMP on every node: the guests' ping stops, and flows again without it.
      try await cluster.networks.addACL(
        vni, description: "no-ping", direction: .inbound, order: nil, rule: "meta l4proto icmp drop")
      #expect(
        try await eventually(timeout: .seconds(20)) { await !first.ping(secondAddress) }, "the ACL stops the ping")
      try await cluster.networks.removeACL(vni, description: "no-ping")
      #expect(try await eventually(timeout: .seconds(20)) { await first.ping(secondAddress) }, "the ping flows again")
      // The remote guest's MAC address came from BGP (the VXLANs do no learning of their own).
      #expect(
        try await eventually(timeout: .seconds(10)) {
          Self.evpnEntries(others[0], vni: vni).contains { $0.hasPrefix(second.mac) }
        }, "EVPN entries on \(others[0]): \(Self.evpnEntries(others[0], vni: vni))")
      #expect(
        try await eventually(timeout: .seconds(10)) {
          try await cluster.networks.leases(vni, limit: nil, staticOnly: false).count == 2
        })

      // The primary moves to the first guest's node: the gateway and DHCP follow, the lease is renewed as it was.
      _ = try await cluster.nodes.setCoordinatorState(others[0], .primary, wait: true)
      #expect(
        try await eventually(timeout: .seconds(30)) {
          try await second.dhcp(hostname: "ev2", tries: 2, requesting: secondAddress) == secondAddress
        }, "ev2 renewed \(secondAddress) from \(others[0])")
      #expect(try await eventually(timeout: .seconds(10)) { await second.ping("10.140.0.1") }, "the gateway moved")
      #expect(
        PidFileDaemon(pidFile: "/tmp/pvckit-dynamic/\(primary)/dnsmasq/\(vni)/dnsmasq.pid", marker: "--pid-file").pid
          == nil, "the old primary's dnsmasq stopped")

      // A link deleted while pvcd is down is made again when it starts.
      nodes.stopDaemon(others[1])
      _ = try SimulatedNodes.inside(others[1], ["ip", "link", "del", "vxlan\(vni)"])
      try nodes.startDaemon(others[1])
      #expect(
        // pvcd's start (a debug build, registering, its first reconciliation) takes a while under phase 1's load.
        try await eventually(timeout: .seconds(60)) { Self.links(others[1])["vxlan\(vni)"]?.master == "vmbr\(vni)" },
        "vxlan\(vni) on \(others[1]) after the restart")
      #expect(try await eventually(timeout: .seconds(60)) { await first.ping(secondAddress) }, "traffic flows again")
      try await cluster.networks.remove(vni)
    }
  }
}
