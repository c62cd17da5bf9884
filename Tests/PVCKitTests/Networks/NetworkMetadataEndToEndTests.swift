import Foundation
import PVCKitFixtures
import Testing

@testable import PVCKit

/// The cloud-init metadata service on the simulated cluster: with the client network tests, one test at a time
/// (its cluster makes network links, and would remove the other tests' networks' links).
extension NetworkLinkEndToEndTests {
  @Test("the metadata service gives a guest its own VM's data, found by its lease, and nobody else's")
  func metadata() async throws {
    let database = try await DNSTestDatabase.make()
    defer { Task { await database.drop() } }
    var dns = SimulatedNodeConfiguration.DNS(
      hosts: database.settings.hosts, database: database.name, username: database.settings.user,
      password: database.settings.password, powerDNSPort: 25_755)
    dns.metadataPort = 28_180
    let configuration = SimulatedNodeConfiguration.text(nodeNet: NodeCluster.nodeNet, networking: true, dns: dns)
    try await NodeCluster.with(configuration: configuration) { nodes in
      let cluster = try await PVCCluster.connect(
        .zookeeper(hosts: nodes.hosts), provisionerDatabase: database.settings)
      defer { Task { await cluster.close() } }
      let userdata = "#cloud-config\nsecret: alpha\n"
      try await cluster.provisioner.addSystemTemplate("tiny", .init(vcpus: 1, vramMB: 64, serial: true, vnc: false))
      try await cluster.provisioner.addUserdata("secret-a", data: userdata)
      try await cluster.provisioner.addScript("noop", data: "#!/bin/sh\nexit 0\n")
      try await cluster.provisioner.addProfile(
        "meta", .init(type: .provisioner, systemTemplate: "tiny", userdata: "secret-a", script: "noop"))
      let vni = 1620
      try await cluster.networks.add(NetworkLinkEndToEndTests.dhcpNetwork(vni))
      let primary = try #require(try await cluster.nodes.primary())
      #expect(
        try await eventually(timeout: .seconds(20)) {
          NetworkLinkEndToEndTests.links(primary)["vmbr\(vni)"]?.isUp == true
        })
      // A VM with a NIC on the network (it need not run: the guest below stands in for its NIC).
      let uuid = UUID().uuidString.lowercased()
      let xml = TestGuests.xml(name: "meta-a", uuid: uuid).replacingOccurrences(
        of: "<devices>",
        with:
          "<devices><interface type='bridge'><mac address='52:54:00:16:20:01'/><source bridge='vmbr\(vni)'/></interface>"
      )
      _ = try await cluster.vms.define(VMDefinition(xml: xml, node: "hv1", profile: "meta"))
      let owner = try NetworkGuest.plug("mda", into: primary, vni: vni, mac: "52:54:00:16:20:01")
      let stranger = try NetworkGuest.plug("mdb", into: primary, vni: vni, mac: "52:54:00:16:20:02")
      defer {
        owner.remove()
        stranger.remove()
      }
      #expect(try await owner.dhcp(hostname: "meta-a", tries: 20) != nil)
      #expect(try await stranger.dhcp(hostname: "other", tries: 20) != nil)
      let base = "http://169.254.169.254:28180/latest"
      @Sendable func fetch(_ guest: NetworkGuest, _ path: String) throws -> (status: Int32, output: String) {
        try guest.inside(["timeout", "-s", "KILL", "10", "busybox", "wget", "-q", "-O", "-", base + path])
      }
      // Leases reach ZooKeeper within a moment; the service reads them there.
      #expect(try await eventually(timeout: .seconds(20)) { try fetch(owner, "/user-data").output == userdata })
      #expect(try fetch(owner, "/meta-data/instance-id").output == uuid)
      #expect(try fetch(owner, "/meta-data/name").output == "meta-a")
      #expect(try fetch(owner, "/meta-data/profile").output == "meta")
      // Another guest on the same network gets nothing of it.
      let other = try fetch(stranger, "/user-data")
      #expect(other.status != 0 && !other.output.contains("alpha"), "\(other)")
      let listing = try fetch(stranger, "/meta-data")
      #expect(listing.output.contains("instance-id") && !listing.output.contains(uuid))
    }
  }
}
