import Foundation
import Testing

@testable import PVCKit

/// Pools made, resized and removed in the real test cluster and recorded in a real ZooKeeper chroot.
@Suite("Ceph pools")
struct CephPoolsTests {
  @Test("a pool is created with its replication and recorded; its PGs change; removal takes both")
  func lifecycle() async throws {
    let hosts = try await TestServices.chroot(name: "ceph-pools")
    let cluster = try await PVCCluster.connect(.zookeeper(hosts: hosts))
    defer { Task { await cluster.close() } }
    try await cluster.initialize()
    let zookeeper = try #require(cluster.zookeeper)
    let rados = try await RadosConnection.connect(configurationFile: TestServices.cephConfiguration)
    let pools = CephPools(rados: rados, zookeeper: zookeeper)
    let name = "p-\(UUID().uuidString.prefix(6).lowercased())"
    try await pools.add(name, pgs: 8, replication: "copies=2,mincopies=1")
    #expect(try await rados.poolNames().contains(name))
    let size = try await rados.monitorJSON(["prefix": "osd pool get", "pool": .string(name), "var": "size"])
    #expect(CephStats.number(CephStats.field(size, "size")) == 2, "\(size)")
    #expect(try await zookeeper.string("/ceph/pools/\(name)/pgs") == "8")
    #expect(try await zookeeper.exists("/ceph/volumes/\(name)") != nil)
    // Twice: refused, nothing changed.
    await #expect(throws: StorageError.self) { try await pools.add(name, pgs: 8, replication: "copies=2,mincopies=1") }
    try await pools.setPlacementGroups(name, 16)
    #expect(try await zookeeper.string("/ceph/pools/\(name)/pgs") == "16")
    try await pools.remove(name)
    #expect(!(try await rados.poolNames().contains(name)))
    #expect(try await zookeeper.exists("/ceph/pools/\(name)") == nil)
    #expect(try await zookeeper.exists("/ceph/volumes/\(name)") == nil)
  }

  @Test("bad values are refused before Ceph is asked; nothing is made")
  func refusals() async throws {
    let hosts = try await TestServices.chroot(name: "ceph-pools-bad")
    let cluster = try await PVCCluster.connect(.zookeeper(hosts: hosts))
    defer { Task { await cluster.close() } }
    try await cluster.initialize()
    let zookeeper = try #require(cluster.zookeeper)
    let rados = try await RadosConnection.connect(configurationFile: TestServices.cephConfiguration)
    let pools = CephPools(rados: rados, zookeeper: zookeeper)
    for (name, pgs, replication) in [
      ("bad name", 8, "copies=2,mincopies=1"), ("okname", 7, "copies=2,mincopies=1"), ("okname", 8, "copies=2"),
      ("vms", 8, "copies=2,mincopies=1"),
    ] {
      await #expect(throws: (any Error).self, "\(name) \(pgs) \(replication)") {
        try await pools.add(name, pgs: pgs, replication: replication)
      }
    }
    // (Other tests make pools at the same time: only these names are checked.)
    #expect(!(try await rados.poolNames().contains("okname")))
    #expect(try await zookeeper.children("/ceph/pools").isEmpty)
    await #expect(throws: StorageError.poolNotFound("not-recorded")) { try await pools.remove("not-recorded") }
  }
}
