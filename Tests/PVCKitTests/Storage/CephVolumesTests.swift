import Foundation
import Testing

@testable import PVCKit

/// Volumes made, resized and removed in the real test cluster and recorded in a real ZooKeeper chroot.
@Suite("Ceph volumes")
struct CephVolumesTests {
  @Test("a volume is made with an upstream size, recorded with its stats, resized and removed")
  func lifecycle() async throws {
    let hosts = try await TestServices.chroot(name: "ceph-volumes")
    let cluster = try await PVCCluster.connect(.zookeeper(hosts: hosts))
    defer { Task { await cluster.close() } }
    try await cluster.initialize()
    let zookeeper = try #require(cluster.zookeeper)
    try await zookeeper.ensurePath("/ceph/pools/vms")
    let rados = try await RadosConnection.connect(configurationFile: TestServices.cephConfiguration)
    let volumes = CephVolumes(rados: rados, zookeeper: zookeeper)
    let name = "v-\(UUID().uuidString.prefix(8).lowercased())"
    try await volumes.add(name, pool: "vms", size: "64M")
    let stats = try JSONValue(parsing: try await zookeeper.string("/ceph/volumes/vms/\(name)/stats") ?? "")
    #expect(CephStats.number(CephStats.field(stats, "size")) == 64 << 20, "\(stats)")
    #expect(CephStats.number(CephStats.field(stats, "order")) == 22)
    #expect(try await RBDPool(rados, pool: "vms").info(name).size == 64 << 20)
    await #expect(throws: StorageError.self) { try await volumes.add(name, pool: "vms", size: "64M") }
    try await volumes.resize(name, pool: "vms", size: "128M")
    let resized = try JSONValue(parsing: try await zookeeper.string("/ceph/volumes/vms/\(name)/stats") ?? "")
    #expect(CephStats.number(CephStats.field(resized, "size")) == 128 << 20)
    try await volumes.remove(name, pool: "vms")
    #expect(try await zookeeper.exists("/ceph/volumes/vms/\(name)") == nil)
    #expect(!(try await RBDPool(rados, pool: "vms").list().contains(name)))
  }

  @Test("refused: bad sizes and names, unknown pools, and volumes past the 80 % guard unless forced")
  func refusals() async throws {
    let hosts = try await TestServices.chroot(name: "ceph-volumes-bad")
    let cluster = try await PVCCluster.connect(.zookeeper(hosts: hosts))
    defer { Task { await cluster.close() } }
    try await cluster.initialize()
    let zookeeper = try #require(cluster.zookeeper)
    try await zookeeper.ensurePath("/ceph/pools/vms")
    // The pool's stats as the primary records them: 1 GiB stored, 1 GiB free.
    try await zookeeper.ensurePath("/ceph/pools/vms/stats")
    _ = try await zookeeper.set("/ceph/pools/vms/stats", #"{"stored_bytes":1073741824,"free_bytes":1073741824}"#)
    let rados = try await RadosConnection.connect(configurationFile: TestServices.cephConfiguration)
    let volumes = CephVolumes(rados: rados, zookeeper: zookeeper)
    for (name, pool, size) in [
      ("ok", "vms", "10X"), ("bad/name", "vms", "1G"), ("ok", "nopool", "1G"), ("big", "vms", "700M"),
    ] {
      await #expect(throws: (any Error).self, "\(name) \(pool) \(size)") {
        try await volumes.add(name, pool: pool, size: size)
      }
    }
    // (Other tests make volumes in the pool at the same time: only these names are checked.)
    let images = try await RBDPool(rados, pool: "vms").list()
    #expect(!images.contains("ok") && !images.contains("big"))
    #expect(try await zookeeper.children("/ceph/volumes").isEmpty)
    // Forced past the guard: made (the image is thin: nothing is written).
    let forced = "f-\(UUID().uuidString.prefix(8).lowercased())"
    try await volumes.add(forced, pool: "vms", size: "700M", force: true)
    try await volumes.remove(forced, pool: "vms")
    #expect(CephVolumes.fits(100 << 20, stats: #"{"stored_bytes":1073741824,"free_bytes":1073741824}"#))
    #expect(CephVolumes.fits(1 << 30, stats: nil))
  }
}
