import Foundation
import PVCKitFixtures
import Testing

@testable import PVCKit

/// pvcd's DNS duty on the simulated cluster, with the real Galera and PowerDNS: the primary's PowerDNS answers
/// on the cluster's floating address, the aggregator follows DHCP leases, and both move with the primary; and
/// Galera losing a member under it. Phase 2 of `make test` (it kills a shared Galera server), one test at a
/// time (both answer on the same address).
@Suite("DNS on the cluster", .serialized)
struct DNSClusterTests {
  /// The port PowerDNS answers on in these tests (on the floating addresses, inside the nodes' namespaces).
  static let port = 25_753
  /// A floating address of these tests' own: other test clusters' primaries hold `.250` on the same bridge.
  static var floating: String { "\(NodeCluster.nodeNet).249" }

  /// The cluster's configuration with DNS on `database`.
  static func configuration(_ database: DNSTestDatabase, networking: Bool = false) -> String {
    SimulatedNodeConfiguration.text(
      nodeNet: NodeCluster.nodeNet, networking: networking,
      dns: .init(
        hosts: database.settings.hosts, database: database.name, username: database.settings.user,
        password: database.settings.password, powerDNSPort: port, metadataPort: 28_181)
    ).replacingOccurrences(of: "floating_address: \(NodeCluster.nodeNet).250", with: "floating_address: \(floating)")
  }

  /// Runs `body` with a node cluster doing DNS on a fresh database, and a connection that reaches it.
  static func withCluster(
    networking: Bool = false, name: String = #function,
    _ body: (NodeCluster, PVCCluster, DNSTestDatabase) async throws -> Void
  ) async throws {
    let database = try await DNSTestDatabase.make()
    do {
      try await NodeCluster.with(configuration: configuration(database, networking: networking), name: name) {
        nodes in
        let cluster = try await PVCCluster.connect(.zookeeper(hosts: nodes.hosts), database: database.settings)
        do {
          try await body(nodes, cluster, database)
        } catch {
          await cluster.close()
          throw error
        }
        await cluster.close()
      }
    } catch {
      await database.drop()
      throw error
    }
    await database.drop()
  }

  /// Whether `name` `type` is answered with exactly `expected` on the floating address within `timeout`.
  static func answered(
    _ name: String, _ type: String, _ expected: [String], within timeout: Duration = .seconds(45)
  ) async throws -> Bool {
    try await PowerDNSTests.answers(port, name, type, expected, server: floating, within: timeout)
  }

  /// Whether node `name`'s PowerDNS runs.
  static func powerDNSRuns(on name: String) -> Bool {
    PidFileDaemon(pidFile: "/tmp/pvckit-dynamic/\(name)/pdns/pdns.pid", marker: "--config-dir").pid != nil
  }

  @Test(
    "a guest's lease becomes its name in the network's zone and the reverse zone, and goes with the lease; PowerDNS moves with the primary"
  )
  func leasesAndHandover() async throws {
    try await Self.withCluster(networking: true) { nodes, cluster, _ in
      let vni = 1610
      try await cluster.networks.add(NetworkLinkEndToEndTests.dhcpNetwork(vni))
      try await cluster.networks.addReservation(vni, mac: "52:54:00:16:10:02", ip: "10.161.0.50", hostname: "fixed")
      let primary = try #require(try await cluster.nodes.primary())
      #expect(
        try await eventually(timeout: .seconds(20)) { Self.powerDNSRuns(on: primary) }, "\(nodes.daemonLog(primary))")
      // A reservation is a name at once; the network's zones are the aggregator's.
      #expect(try await Self.answered("fixed.net\(vni).test", "A", ["10.161.0.50"]), "\(nodes.daemonLog(primary))")
      #expect(try await Self.answered("50.0.161.10.in-addr.arpa", "PTR", ["fixed.net\(vni).test."]))
      let zone = try await cluster.dns.zone("net\(vni).test")
      #expect(zone.source == .aggregator && zone.network == vni)
      // The aggregator's records are read-only; a user's record beside them is kept.
      let fixed = try #require(try await cluster.dns.records(zone: "net\(vni).test", name: "fixed", type: .a).first)
      #expect(fixed.source == .aggregator)
      await #expect(throws: DNSError.self) {
        try await cluster.dns.modifyRecord(
          fixed.id, zone: "net\(vni).test", to: .init(name: "fixed", type: .a, content: "10.161.0.51"))
      }
      await #expect(throws: DNSError.self) { try await cluster.dns.removeZone("net\(vni).test") }
      _ = try await cluster.dns.addRecord(
        .init(name: "www", type: .cname, content: "fixed.net\(vni).test"), zone: "net\(vni).test")
      // A guest's DHCP lease: its name, forward and reverse.
      #expect(
        try await eventually(timeout: .seconds(20)) {
          NetworkLinkEndToEndTests.links(primary)["vmbr\(vni)"]?.isUp == true
        })
      let guest = try NetworkGuest.plug("dns1", into: primary, vni: vni, mac: "52:54:00:16:10:01")
      defer { guest.remove() }
      let address = try #require(try await guest.dhcp(hostname: "dnsguest", tries: 20), "no lease")
      let last = try #require(address.split(separator: ".").last)
      #expect(try await Self.answered("dnsguest.net\(vni).test", "A", [address]), "\(nodes.daemonLog(primary))")
      #expect(try await Self.answered("\(last).0.161.10.in-addr.arpa", "PTR", ["dnsguest.net\(vni).test."]))
      // The guest gives its lease back: the names go.
      try guest.releaseLease(address, vni: vni, server: primary)
      #expect(try await Self.answered("dnsguest.net\(vni).test", "A", []), "name gone with the lease")
      #expect(try await Self.answered("\(last).0.161.10.in-addr.arpa", "PTR", []))
      // An administrator's zone, answered too.
      try await cluster.dns.addZone("e2e.test", nameservers: ["ns1.e2e.test"], contact: nil)
      _ = try await cluster.dns.addRecord(.init(name: "www", type: .a, content: "10.1.2.3"), zone: "e2e.test")
      #expect(try await Self.answered("www.e2e.test", "A", ["10.1.2.3"], within: .seconds(5)))
      // The primary moves: PowerDNS stops on the old one and answers from the new one, on the same address.
      let next = try #require(["hv1", "hv2", "hv3"].first { $0 != primary })
      _ = try await cluster.nodes.setCoordinatorState(next, .primary, wait: true)
      #expect(
        try await eventually(timeout: .seconds(20)) { Self.powerDNSRuns(on: next) && !Self.powerDNSRuns(on: primary) })
      #expect(try await Self.answered("www.e2e.test", "A", ["10.1.2.3"]), "\(nodes.daemonLog(next))")
      #expect(try await Self.answered("fixed.net\(vni).test", "A", ["10.161.0.50"]))
      #expect(try await Self.answered("www.net\(vni).test", "A", ["10.161.0.50", "fixed.net\(vni).test."]))
      // The network goes: so do its zones.
      try await cluster.networks.remove(vni)
      #expect(try await eventually(timeout: .seconds(20)) { try await cluster.dns.zones(limit: "net\(vni)").isEmpty })
      #expect(try await Self.answered("fixed.net\(vni).test", "A", []))
    }
  }

  @Test("one Galera node killed: writes and answers go on; it rejoins and catches up")
  func memberKilled() async throws {
    try await Self.withCluster { nodes, cluster, database in
      let primary = try #require(try await cluster.nodes.primary())
      try await cluster.dns.addZone("failover.test", nameservers: ["ns1.failover.test"], contact: nil)
      _ = try await cluster.dns.addRecord(.init(name: "before", type: .a, content: "10.3.0.1"), zone: "failover.test")
      #expect(
        try await Self.answered("before.failover.test", "A", ["10.3.0.1"]), "\(nodes.daemonLog(primary))")
      // The first member is the one everybody reads from (the first synced one in the list): kill it.
      try TestServices.script("galera.sh", "kill", "1")
      var rejoined = false
      defer { if !rejoined { _ = try? TestServices.script("galera.sh", "rejoin", "1") } }
      let written = try await cluster.dns.addRecord(
        .init(name: "during", type: .a, content: "10.3.0.2"), zone: "failover.test")
      #expect(written.id > 0)
      #expect(
        try await Self.answered("during.failover.test", "A", ["10.3.0.2"], within: .seconds(30)),
        "\(nodes.daemonLog(primary).split(separator: "\n").filter { $0.contains("dns") }.suffix(10))")
      #expect(try await Self.answered("before.failover.test", "A", ["10.3.0.1"], within: .seconds(5)))
      // The member comes back and has what was written while it was away.
      try TestServices.script("galera.sh", "rejoin", "1")
      rejoined = true
      var first = database.settings
      first.hosts = [database.settings.hosts[0]]
      let connection = try await MariaDBConnection.connect(first)
      let rows = try await connection.query(
        "SELECT content FROM records WHERE name = ? AND type = 'A'", [.text("during.failover.test")])
      await connection.close()
      #expect(rows == [["10.3.0.2"]])
    }
  }
}
