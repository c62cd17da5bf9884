import Foundation
import Logging
import PVCKitFixtures
import Testing

@testable import PVCKit

/// The primary's Ceph records, written from the real test cluster into a real ZooKeeper chroot.
@Suite("Ceph statistics in ZooKeeper")
struct CephStatsDutyTests {
  @Test("status, health, df and the stats of known pools and OSDs, in upstream's shapes")
  func onePass() async throws {
    let hosts = try await TestServices.chroot(name: "ceph-stats")
    let cluster = try await PVCCluster.connect(.zookeeper(hosts: hosts))
    defer { Task { await cluster.close() } }
    try await cluster.initialize()
    let zookeeper = try #require(cluster.zookeeper)
    // A pool and an OSD as PVC records them, and one pool Ceph does not have.
    for (path, value) in [
      ("/ceph/pools/vms", "vms"), ("/ceph/pools/vms/pgs", "16"), ("/ceph/pools/gone", "gone"),
      ("/ceph/osds/1", "1"), ("/ceph/osds/1/node", "hv1"), ("/ceph/osds/1/stats", "{}"),
    ] {
      try await zookeeper.ensurePath(path)
      _ = try await zookeeper.set(path, value)
    }
    // Some objects in the pool, so that its counters move.
    let rados = try await RadosConnection.connect(configurationFile: TestServices.cephConfiguration)
    let pool = try RBDPool(rados, pool: "vms")
    let image = "stats-\(UUID().uuidString.prefix(8).lowercased())"
    try await pool.create(image, size: 8 << 20)
    defer { Task { try? await pool.remove(image) } }
    try await pool.write(image, at: 0, [UInt8](repeating: 7, count: 1 << 20))

    let duty = CephStatsDuty(
      zookeeper: zookeeper, configurationFile: TestServices.cephConfiguration, logger: Logger(label: "test"))
    try await duty.prepare()
    try await duty.pass(rados)

    #expect((try await zookeeper.string("/ceph") ?? "").contains("cluster:"))
    let health = try JSONValue(parsing: (try await zookeeper.string("/ceph/health") ?? ""))
    #expect(CephStats.field(health, "status").map { "\($0)" } != nil)
    #expect((try await zookeeper.string("/ceph/util") ?? "").contains("POOLS"))
    let stats = try JSONValue(parsing: (try await zookeeper.string("/ceph/pools/vms/stats") ?? ""))
    #expect(CephStats.number(CephStats.field(stats, "num_objects")) > 0, "\(stats)")
    // Space comes from the manager's reports, a few seconds behind: some is stored, not yet all of it.
    #expect(CephStats.number(CephStats.field(stats, "stored_bytes")) > 0, "\(stats)")
    #expect(CephStats.number(CephStats.field(stats, "free_bytes")) > 0)
    #expect(try await zookeeper.exists("/ceph/pools/gone/stats") == nil, "a pool Ceph does not have gets no stats")
    let osd = try JSONValue(parsing: (try await zookeeper.string("/ceph/osds/1/stats") ?? ""))
    #expect(CephStats.number(CephStats.field(osd, "up")) == 1 && CephStats.number(CephStats.field(osd, "in")) == 1)
    #expect(CephStats.number(CephStats.field(osd, "kb")) > 0, "\(osd)")
    #expect(CephStats.field(osd, "state") == .string("exists,up"), "\(osd)")
  }

  @Test("the primary's pvcd keeps the records")
  func fromPvcd() async throws {
    let configuration = SimulatedNodeConfiguration.text(
      nodeNet: NodeCluster.nodeNet, ceph: TestServices.cephConfiguration)
    try await NodeCluster.with(configuration: configuration) { nodes in
      let zookeeper = try #require(nodes.cluster.zookeeper)
      #expect(
        try await eventually(timeout: .seconds(20)) {
          (try await zookeeper.string("/ceph/health") ?? "").contains("HEALTH_")
        }, "/ceph/health from the primary")
    }
  }

  @Test("sizes as Ceph's tables show them")
  func human() {
    #expect(CephStats.human(0) == "0 B")
    #expect(CephStats.human(1536) == "1.5 KiB")
    #expect(CephStats.human(40 << 30) == "40 GiB")
  }
}
