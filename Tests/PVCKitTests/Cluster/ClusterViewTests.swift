import Foundation
import PVCKitFixtures
import Testing

@testable import PVCKit

/// A followed cluster (``PVCCluster/follow()``) answers from watch-fed views
/// and still shows its own writes at once, against a real ZooKeeper.
@Suite("Cluster views")
struct ClusterViewTests {
  @Test("after each of its own writes, the very next listing, node list and status show it; others' writes follow")
  func readYourWrites() async throws {
    let hosts = try await TestServices.chroot()
    let cluster = try await PVCCluster.connect(.zookeeper(hosts: hosts))
    let zk = try #require(cluster.zookeeper)
    try await UpstreamSeeder(zookeeper: zk, vms: 30).seed()
    let view = try #require(cluster.follow())
    #expect(try await eventually(timeout: .seconds(30)) { view.isLoaded })
    #expect(try await cluster.vms.list().count == 30)
    for round in 1...15 {
      let name = UpstreamSeeder.name(round)
      try await cluster.vms.stop(name)
      #expect(try await cluster.vms.list(VMFilter(limit: name)).first?.state == .stop, "round \(round)")
      try await cluster.vms.addTag(name, VMTag(name: "t\(round)"))
      #expect(try await cluster.vms.list(VMFilter(tag: "t\(round)")).map(\.name) == [name], "round \(round)")
      // A write through the same client, of a key the node listing and the status read.
      try await zk.set(try Layout.node("hv1").path(.domainState), "flush\(round)")
      #expect(try await cluster.nodes.info("hv1").domainState.rawValue == "flush\(round)", "round \(round)")
      let (uuid, _) = try await cluster.vms.define(VMDefinition(xml: TestGuests.xml(name: "new\(round)"), node: "hv1"))
      #expect(try await cluster.status().vms["total"] == 30 + round, "round \(round)")
      #expect(try await cluster.vms.list(VMFilter(limit: uuid)).first?.name == "new\(round)", "round \(round)")
    }
    #expect(view.isLoaded)
    // Another client's writes arrive through the watches.
    let other = try await ZooKeeper.connect(to: hosts)
    try await other.set(try Layout.node("hv2").path(.domainState), "elsewhere")
    #expect(try await eventually { try await cluster.nodes.info("hv2").domainState.rawValue == "elsewhere" })
    await other.close()
    await cluster.close()
  }

  @Test("the tree cache forgets removed objects and never keeps large values")
  func bounded() async throws {
    let hosts = try await TestServices.chroot()
    let cluster = try await PVCCluster.connect(.zookeeper(hosts: hosts))
    let zk = try #require(cluster.zookeeper)
    try await UpstreamSeeder(zookeeper: zk, vms: 10).seed()
    let view = try #require(cluster.follow())
    _ = try await cluster.status()
    _ = try await cluster.nodes.list()
    let held = view.reads.count
    #expect(held > 20)
    // Removing every VM makes their paths (read by the status) go.
    for uuid in (1...10).map(UpstreamSeeder.uuid) {
      try await zk.deleteRecursively(try Layout.domain(uuid).basePath)
    }
    #expect(try await cluster.status().vms["total"] == 0)
    #expect(view.reads.count <= held - 20)
    // A value larger than the cache keeps is answered, not kept.
    let large = "{\"x\": \"" + String(repeating: "a", count: WatchedReads.largestKept + 10) + "\"}"
    try await zk.set(try Layout.node("hv1").path(.networkStats), large)
    let before = view.reads.count
    let stats = try await view.reads.getMany([try Layout.node("hv1").path(.networkStats)])
    #expect(stats.first??.bytes.count == large.utf8.count)
    #expect(view.reads.count == before - 1)
    await cluster.close()
  }
}
