import Foundation
import PVCKitFixtures
import Testing

@testable import PVCKit

extension NetworkLinkEndToEndTests {
  /// A managed network with DHCPv4, IPv6 and a domain, for the tests below.
  static func dhcpNetwork(_ vni: Int) -> NetworkDefinition {
    NetworkDefinition(
      vni: vni, description: "e2e-dhcp-\(vni)", type: .managed, domain: "net\(vni).test",
      ip4Network: "10.\(vni / 10 % 256).0.0/24", ip4Gateway: "10.\(vni / 10 % 256).0.1", dhcp4: true,
      dhcp4Start: "10.\(vni / 10 % 256).0.100", dhcp4End: "10.\(vni / 10 % 256).0.199",
      ip6Network: "fd00:\(vni)::/64", ip6Gateway: "fd00:\(vni)::1")
  }

  @Test("the primary's dnsmasq leases addresses, honours reservations, advertises IPv6, and records leases")
  func dhcpOnThePrimary() async throws {
    let configuration = SimulatedNodeConfiguration.text(nodeNet: NodeCluster.nodeNet, networking: true)
    try await NodeCluster.with(configuration: configuration) { nodes in
      let cluster = nodes.cluster
      let vni = 1300
      try await cluster.networks.add(Self.dhcpNetwork(vni))
      try await cluster.networks.addReservation(vni, mac: "52:54:00:13:00:02", ip: "10.130.0.50", hostname: "fixed")
      let primary = try #require(try await cluster.nodes.primary())
      #expect(try await eventually(timeout: .seconds(20)) { Self.links(primary)["vmbr\(vni)"]?.isUp == true })
      let dynamic = try NetworkGuest.plug("dyn", into: primary, vni: vni, mac: "52:54:00:13:00:01")
      let fixed = try NetworkGuest.plug("fix", into: primary, vni: vni, mac: "52:54:00:13:00:02")
      defer {
        dynamic.remove()
        fixed.remove()
      }
      // The server starts right after the gateway address: the first tries may find none.
      let address = try await dynamic.dhcp(hostname: "dynguest", tries: 20)
      let leased = try #require(address.flatMap(IPAddress.init))
      #expect(try #require(IPAddress("10.130.0.100")) <= leased && leased <= IPAddress("10.130.0.199")!)
      #expect(try await fixed.dhcp(hostname: "whatever") == "10.130.0.50")
      #expect(await dynamic.ping("10.130.0.1"), "the gateway answers")
      // The network's DNS server (authoritative for its domain) knows the guest by the name it gave.
      let lookup = try dynamic.inside([
        "timeout", "-s", "KILL", "5", "busybox", "nslookup", "dynguest.net\(vni).test", "10.130.0.1",
      ])
      #expect(lookup.output.contains(address ?? "?"), "\(lookup.output)")
      // The leases reach ZooKeeper, and the API's lease list, with the host name the guest gave.
      #expect(
        try await eventually(timeout: .seconds(10)) {
          let leases = try await cluster.networks.leases(vni, limit: nil, staticOnly: false)
          return leases.contains {
            !$0.isStatic && $0.macAddress == dynamic.mac && $0.ip4Address == address && $0.hostname == "dynguest"
              && $0.timestamp > Int(Date().timeIntervalSince1970)
          }
        }, "lease of \(dynamic.mac)")
      // Router advertisements give the guest an address in the network's IPv6 prefix (asked for now that the
      // server runs: the guest's first solicitations, when it was plugged in, may have come before it).
      var advertised = false
      for _ in 0..<3 where !advertised {
        try dynamic.restartLink()
        advertised = try await eventually(timeout: .seconds(10)) {
          dynamic.addresses6().contains { $0.hasPrefix("fd00:\(vni):") }
        }
      }
      let server =
        (try? String(contentsOfFile: "/tmp/pvckit-dynamic/\(primary)/dnsmasq/\(vni)/dnsmasq.log", encoding: .utf8))
        ?? ""
      #expect(
        advertised,
        """
        IPv6 address from RA: \(dynamic.addresses6()); guest: \((try? dynamic.inside(["ip", "-6", "address"]))?.output ?? "")
        server: \(server.split(separator: "\n").filter { $0.contains("RTR") || $0.contains("RA") }.suffix(8))
        """)
      // A reservation removed: its file goes, and the server is told.
      try await cluster.networks.removeReservation(vni, mac: fixed.mac)
      let hosts = "/tmp/pvckit-dynamic/\(primary)/dnsmasq/\(vni)/hosts"
      #expect(
        try await eventually(timeout: .seconds(15)) {
          ((try? FileManager.default.contentsOfDirectory(atPath: hosts)) ?? ["?"]).isEmpty
        }, "hosts directory \(hosts) emptied")
      // The network goes: its server stops.
      try await cluster.networks.remove(vni)
      #expect(
        try await eventually(timeout: .seconds(15)) {
          PidFileDaemon(pidFile: "/tmp/pvckit-dynamic/\(primary)/dnsmasq/\(vni)/dnsmasq.pid", marker: "--pid-file")
            .pid == nil
        }, "dnsmasq of \(vni) stopped")
    }
  }
}
