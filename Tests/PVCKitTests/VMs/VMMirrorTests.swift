import Foundation
import PVCKitFixtures
import Testing

@testable import PVCKit
@testable import PVCKitAPI

/// Snapshot sends, mirrors and promotion between two clusters on this machine (two ZooKeeper chroots, each with
/// its pvcd on the simulated nodes, one Ceph with a pool each), over upstream's receive protocol through a real
/// pvcapi of the destination. Phase 3b of `make test`.
@Suite("VM snapshot sends and mirrors", .serialized)
struct VMMirrorTests {
  static let port = 22_821

  static func disk(_ pool: String, _ volume: String, _ target: String) -> String {
    """
    <disk type='network' device='disk'><driver name='qemu' type='raw'/>\
    <source protocol='rbd' name='\(pool)/\(volume)'/><target dev='\(target)' bus='scsi'/></disk>
    """
  }

  @Test("sent whole then as changes, mirrored, taken up after an interrupted send, promoted: byte for byte")
  func sendMirrorPromote() async throws {
    let configuration = SimulatedNodeConfiguration.text(
      nodeNet: NodeCluster.nodeNet, ceph: TestServices.cephConfiguration)
    let tag = UUID().uuidString.prefix(6).lowercased()
    let (here, there) = ("mra-\(tag)", "mrb-\(tag)")
    let address = "\(NodeCluster.nodeNet).254"
    // The source mirrors VMs tagged automirror to the destination, keeping one automirror snapshot.
    let sourceConfiguration =
      configuration + """

        automirror:
          destinations:
            target: {address: "\(address)", port: \(Self.port), prefix: "/api/v1", key: "\(APITestHarness.token)", ssl: no, pool: "\(there)"}
          default_destination: target
          mirror_tags: ["automirror"]
          keep_snapshots: 1

        """
    try await NodeCluster.with(configuration: sourceConfiguration, name: "mirror-source") { sourceNodes in
      try await NodeCluster.with(configuration: configuration, name: "mirror-target") { targetNodes in
        let ceph = CephAccess(configurationFile: TestServices.cephConfiguration)
        let source = try await PVCCluster.connect(.zookeeper(hosts: sourceNodes.hosts), ceph: ceph)
        let target = try await PVCCluster.connect(.zookeeper(hosts: targetNodes.hosts), ceph: ceph)
        #expect(try await eventually(timeout: .seconds(20)) { try await source.nodes.primary() != nil })
        #expect(try await eventually(timeout: .seconds(20)) { try await target.nodes.primary() != nil })
        try await source.storage.addPool(here, pgs: 8, replication: "copies=2,mincopies=1", tier: "default")
        try await target.storage.addPool(there, pgs: 8, replication: "copies=2,mincopies=1", tier: "default")
        // The destination's API, where the source's primary (inside a node) reaches it.
        let server = APIServer(
          cluster: target,
          settings: .init(address: address, port: Self.port, tokens: [APITestHarness.token], maxBodySize: 1 << 30))
        let serving = try await server.start()
        let destination = SnapshotDestination(
          uri: "http://\(address):\(Self.port)/api/v1", key: APITestHarness.token, pool: there)
        do {
          let rados = try await RadosConnection.connect(configurationFile: TestServices.cephConfiguration)
          let (poolA, poolB) = (try RBDPool(rados, pool: here), try RBDPool(rados, pool: there))
          let name = "mirvm-\(tag)"
          let volumes = ["\(name)_sda", "\(name)_sdb"]
          for volume in volumes {
            try await source.storage.addVolume(volume, pool: here, size: "16M", force: true)
            try await poolA.write(volume, at: 0, Array("first \(volume)".utf8))
          }
          let uuid = UUID().uuidString.lowercased()
          let xml = TestGuests.xml(name: name, uuid: uuid).replacingOccurrences(
            of: "<devices>",
            with: "<devices><controller type='scsi' index='0' model='virtio-scsi'/>"
              + Self.disk(here, volumes[0], "sda") + Self.disk(here, volumes[1], "sdb"))
          _ = try await source.vms.define(VMDefinition(xml: xml, initialState: .stop))
          func succeeds(_ queued: ClusterTask, on cluster: PVCCluster) async throws -> ClusterTask {
            let done = try await cluster.tasks.wait(for: queued.id, timeout: .seconds(300))
            #expect(done.state == .success, "\(done.name): \(done.status)")
            return done
          }
          /// Whether the destination's volumes hold what the source's do at their heads.
          func same(_ range: UInt64 = 16 << 20) async throws -> Bool {
            for volume in volumes {
              for offset in stride(from: UInt64(0), to: range, by: 4 << 20) {
                let a = try await poolA.read(volume, at: offset, count: 4 << 20)
                let b = try await poolB.read(volume, at: offset, count: 4 << 20)
                if a != b { return false }
              }
            }
            return true
          }

          // Whole, then the changes since.
          _ = try await succeeds(try await source.vms.createSnapshot(name, name: "s1"), on: source)
          let first = try await succeeds(
            try await source.vms.sendSnapshot(name, name: "s1", to: destination, incrementalParent: nil), on: source)
          #expect(first.status.contains("MB/s"))
          let mirror = try await target.vms.info(name)
          #expect(mirror.state == .mirror && mirror.uuid == uuid && mirror.snapshots.map(\.name) == ["s1"])
          #expect(Set(mirror.disks.map(\.name)) == Set(volumes.map { "\(there)/\($0)" }))
          #expect(try await same())
          // The sent task never shows the destination's key.
          #expect(try await source.tasks.task(first.id).arguments["destination_api_key"] == .string("********"))

          for volume in volumes {
            try await poolA.write(volume, at: 5 << 20, [UInt8](repeating: 0xab, count: 70_000))
          }
          _ = try await succeeds(try await source.vms.createSnapshot(name, name: "s2"), on: source)
          _ = try await succeeds(
            try await source.vms.sendSnapshot(name, name: "s2", to: destination, incrementalParent: "s1"), on: source)
          #expect(try await same())
          #expect(Set(try await target.vms.info(name).snapshots.map(\.name)) == ["s1", "s2"])
          // A snapshot the destination has is refused; so is an incremental from one it has not.
          let twice = try await source.tasks.wait(
            for: try await source.vms.sendSnapshot(name, name: "s2", to: destination, incrementalParent: "s1").id,
            timeout: .seconds(120))
          #expect(twice.state == .failure && twice.status.contains("already exists"), "\(twice.status)")

          // An interrupted send (configuration and half the changes, never finished) is not a snapshot there,
          // and the next mirror update starts from the parent again.
          let remote = try await PVCCluster.connect(
            .api(url: URL(string: "http://\(address):\(Self.port)")!, key: APITestHarness.token))
          var detail = try await source.vms.info(name)
          detail.snapshots = []
          try await remote.vms.receiveSnapshotConfig(
            name, snapshot: "broken", sourceSnapshot: "s2",
            detail: try JSONDecoder().decode(JSONValue.self, from: JSONEncoder().encode(detail)))
          let garbage = SnapshotExtent(offset: 0, data: [UInt8](repeating: 0xee, count: 8192)).encoded
          try await remote.vms.receiveSnapshotChanges(
            name, pool: there, volume: volumes[0], snapshot: "broken", sourceSnapshot: "s2",
            from: AsyncThrowingStream {
              $0.yield(garbage)
              $0.finish()
            })
          #expect(!(try await same()))
          #expect(!(try await target.vms.info(name).snapshots.contains { $0.name == "broken" }))
          await remote.close()
          try await poolA.write(volumes[1], at: 9 << 20, Array("after s2".utf8))
          let updated = try await succeeds(try await source.vms.createMirror(name, to: destination), on: source)
          #expect(updated.status.contains("updated mirror"), "\(updated.status)")
          #expect(try await same())

          // Automirror by tag, twice: one automirror snapshot stays on each side.
          try await source.vms.addTag(name, VMTag(name: "automirror"))
          for _ in 0..<2 {
            try await Task.sleep(for: .seconds(1.1))
            let run = try await succeeds(try await source.vms.automirror(), on: source)
            #expect(run.status.contains("\(name):target: ok"), "\(run.status)")
          }
          #expect(try await target.vms.info(name).snapshots.filter { $0.name.hasPrefix("am") }.count == 1)
          #expect(try await source.vms.info(name).snapshots.filter { $0.name.hasPrefix("am") }.count == 1)
          #expect(try await same())

          // Promoted: runs there, this side is the mirror.
          _ = try await succeeds(
            try await source.vms.promoteMirror(name, to: destination, removeOnSource: false), on: source)
          #expect(try await source.vms.info(name).state == .mirror)
          #expect(try await eventually(timeout: .seconds(60)) { try await target.vms.info(name).state == .start })
          #expect(try await same())
          let promoted = try await target.vms.info(name)
          #expect(promoted.snapshots.filter { $0.name.hasPrefix("mr") }.count == 2)

          try await target.vms.remove(name, deleteDisks: true)
          try await source.vms.remove(name, deleteDisks: true)
        } catch {
          await serving.stop()
          for (cluster, pool) in [(source, here), (target, there)] {
            try? await cluster.storage.removePool(pool)
            await cluster.close()
          }
          throw error
        }
        await serving.stop()
        try await source.storage.removePool(here)
        try await target.storage.removePool(there)
        await source.close()
        await target.close()
      }
    }
  }
}
