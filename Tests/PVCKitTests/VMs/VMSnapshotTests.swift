import Foundation
import PVCKitFixtures
import Testing

@testable import PVCKit
@testable import PVCKitAPI

/// Whole-VM snapshots on the simulated cluster with the real Ceph: taken while the VM runs, rolled back when it is
/// stopped (its disks' data and its definition), removed. Phase 2 of `make test`.
@Suite("VM snapshots", .serialized)
struct VMSnapshotTests {
  @Test("a running VM with two RBD disks is snapshotted; data and definition come back on rollback; removal cleans up")
  func snapshotRollbackRemove() async throws {
    let configuration = SimulatedNodeConfiguration.text(
      nodeNet: NodeCluster.nodeNet, ceph: TestServices.cephConfiguration)
    try await NodeCluster.with(configuration: configuration) { nodes in
      let cluster = try await PVCCluster.connect(
        .zookeeper(hosts: nodes.hosts), ceph: CephAccess(configurationFile: TestServices.cephConfiguration))
      let tag = UUID().uuidString.prefix(6).lowercased()
      let poolName = "snap-\(tag)"
      #expect(try await eventually(timeout: .seconds(20)) { try await cluster.nodes.primary() != nil })
      try await cluster.storage.addPool(poolName, pgs: 8, replication: "copies=2,mincopies=1", tier: "default")
      do {
        let rados = try await RadosConnection.connect(configurationFile: TestServices.cephConfiguration)
        let pool = try RBDPool(rados, pool: poolName)
        let name = "snapvm-\(tag)"
        let before = Array("before the snapshot \(tag)".utf8)
        let after = Array("written after it \(tag)!!".utf8)
        for disk in ["sda", "sdb"] {
          try await cluster.storage.addVolume("\(name)_\(disk)", pool: poolName, size: "64M", force: true)
          try await pool.write("\(name)_\(disk)", at: 0, before)
        }
        let uuid = UUID().uuidString.lowercased()
        let disks = ["sda", "sdb"].map { disk in
          """
          <disk type='network' device='disk'><driver name='qemu' type='raw' cache='writeback'/>\
          <source protocol='rbd' name='\(poolName)/\(name)_\(disk)'/><target dev='\(disk)' bus='scsi'/></disk>
          """
        }.joined()
        let xml = TestGuests.xml(name: name, uuid: uuid).replacingOccurrences(
          of: "<devices>", with: "<devices><controller type='scsi' index='0' model='virtio-scsi'/>\(disks)")
        _ = try await cluster.vms.define(VMDefinition(xml: xml, node: nil, initialState: .start))
        #expect(try await eventually(timeout: .seconds(60)) { try await cluster.vms.info(name).state == .start })

        // Taken while it runs.
        let taken = try await cluster.tasks.wait(
          for: try await cluster.vms.createSnapshot(name, name: "first").id, timeout: .seconds(120))
        #expect(taken.state == .success, "\(taken.status)")
        // No guest agent: the result says what consistency the snapshot has.
        #expect(taken.status.contains("crash-consistent per disk"), "\(taken.status)")
        let snapshot = try #require(try await cluster.vms.info(name).snapshots.first { $0.name == "first" })
        #expect(
          Set(snapshot.rbdSnapshots) == ["\(poolName)/\(name)_sda@first", "\(poolName)/\(name)_sdb@first"])
        #expect(try await pool.snapshots(of: "\(name)_sda").map(\.name).contains("first"))
        // A second with the default name (the time); the same name twice is refused.
        let timed = try await cluster.tasks.wait(
          for: try await cluster.vms.createSnapshot(name, name: nil).id, timeout: .seconds(120))
        #expect(timed.state == .success, "\(timed.status)")
        #expect(try await cluster.vms.info(name).snapshots.contains { $0.name.count == 14 && Int($0.name) != nil })
        let twice = try await cluster.tasks.wait(
          for: try await cluster.vms.createSnapshot(name, name: "first").id, timeout: .seconds(60))
        #expect(twice.state == .failure && twice.status.contains("already has"), "\(twice.status)")
        // Through the HTTP API as well (upstream's routes: 202 and a task to follow).
        let server = APIServer(cluster: cluster, settings: .init(port: 22_819, tokens: [APITestHarness.token]))
        let serving = try await server.start()
        let remote = try await PVCCluster.connect(
          .api(url: URL(string: "http://127.0.0.1:22819")!, key: APITestHarness.token))
        let viaAPI = try await remote.vms.createSnapshot(name, name: "via-api")
        #expect(viaAPI.name == "vm.create_snapshot")
        let done = try await remote.tasks.wait(for: viaAPI.id, timeout: .seconds(120))
        #expect(done.state == .success, "\(done.status)")
        #expect(try await remote.vms.info(name).snapshots.contains { $0.name == "via-api" })
        await remote.close()
        await serving.stop()
        // Hostile names are refused before anything is queued.
        await #expect(throws: (any Error).self) { try await cluster.vms.createSnapshot(name, name: "../x") }

        // A rollback is refused while the VM runs.
        let running = try await cluster.tasks.wait(
          for: try await cluster.vms.rollbackSnapshot(name, name: "first").id, timeout: .seconds(60))
        #expect(running.state == .failure && running.status.contains("stop"), "\(running.status)")

        // Stopped, changed (data and definition), rolled back: both as they were.
        try await cluster.vms.setState(name, .stop, force: true, wait: true)
        for disk in ["sda", "sdb"] { try await pool.write("\(name)_\(disk)", at: 0, after) }
        let changedXML = try await cluster.vms.info(name).xml.replacingOccurrences(
          of: "PVCKit test guest", with: "changed after the snapshot")
        try await cluster.vms.modify(name, xml: changedXML, restart: false)
        let rolled = try await cluster.tasks.wait(
          for: try await cluster.vms.rollbackSnapshot(name, name: "first").id, timeout: .seconds(120))
        #expect(rolled.state == .success, "\(rolled.status)")
        for disk in ["sda", "sdb"] {
          #expect(try await pool.read("\(name)_\(disk)", at: 0, count: before.count) == before, "\(disk)")
        }
        #expect(try await cluster.vms.info(name).xml.contains("PVCKit test guest"))

        // Removed: its RBD snapshots and its record.
        let removed = try await cluster.tasks.wait(
          for: try await cluster.vms.removeSnapshot(name, name: "first").id, timeout: .seconds(120))
        #expect(removed.state == .success, "\(removed.status)")
        #expect(!(try await cluster.vms.info(name).snapshots.contains { $0.name == "first" }))
        #expect(!(try await pool.snapshots(of: "\(name)_sda").map(\.name).contains("first")))
        await #expect(throws: (any Error).self) { try await cluster.vms.removeSnapshot(name, name: "first") }
        for snapshot in try await cluster.vms.info(name).snapshots {
          _ = try await cluster.tasks.wait(
            for: try await cluster.vms.removeSnapshot(name, name: snapshot.name).id, timeout: .seconds(60))
        }
        try await cluster.vms.remove(name, deleteDisks: true)
      } catch {
        try? await cluster.storage.removePool(poolName)
        await cluster.close()
        throw error
      }
      try await cluster.storage.removePool(poolName)
      await cluster.close()
    }
  }

  /// The tiny real guest (`PVCKIT_GUEST_DIR`), which runs Debian's qemu-ga when it has an agent channel.
  static var guestDirectory: String? { ProcessInfo.processInfo.environment["PVCKIT_GUEST_DIR"] }

  @Test(
    "a running VM with a guest agent has its filesystems frozen across its disks' snapshots, and thawed after",
    .enabled(if: guestDirectory != nil))
  func frozenThroughGuestAgent() async throws {
    let guest = try #require(Self.guestDirectory)
    let configuration = SimulatedNodeConfiguration.text(
      nodeNet: NodeCluster.nodeNet, ceph: TestServices.cephConfiguration, allowHostAccess: true)
    try await NodeCluster.with(configuration: configuration) { nodes in
      let cluster = try await PVCCluster.connect(
        .zookeeper(hosts: nodes.hosts), policy: .permissive,
        ceph: CephAccess(configurationFile: TestServices.cephConfiguration))
      let tag = UUID().uuidString.prefix(6).lowercased()
      let poolName = "freeze-\(tag)"
      #expect(try await eventually(timeout: .seconds(20)) { try await cluster.nodes.primary() != nil })
      try await cluster.storage.addPool(poolName, pgs: 8, replication: "copies=2,mincopies=1", tier: "default")
      do {
        let name = "agentvm-\(tag)"
        for disk in ["sda", "sdb"] {
          try await cluster.storage.addVolume("\(name)_\(disk)", pool: poolName, size: "16M", force: true)
        }
        let disks = ["sda", "sdb"].map { disk in
          """
          <disk type='network' device='disk'><driver name='qemu' type='raw'/>\
          <source protocol='rbd' name='\(poolName)/\(name)_\(disk)'/><target dev='\(disk)' bus='scsi'/></disk>
          """
        }.joined()
        // The tiny guest, with an agent.
        let xml = TestGuests.tiny(
          name: name, directory: guest,
          devices: "<controller type='scsi' index='0' model='virtio-scsi'/>\(disks)"
            + "<channel type='unix'><target type='virtio' name='org.qemu.guest_agent.0'/></channel>")
        _ = try await cluster.vms.define(VMDefinition(xml: xml, node: nil, initialState: .start))
        #expect(try await eventually(timeout: .seconds(60)) { try await cluster.vms.info(name).state == .start })
        let info = try await cluster.vms.info(name)
        let uri = TestServices.libvirtNodes[max(0, min(2, NodeIdentity.id(of: info.node) - 1))]
        @Sendable func agent(_ command: String) throws -> String {
          try TestServices.runTool(
            "/usr/bin/virsh", ["-c", uri, "qemu-agent-command", info.uuid, "{\"execute\":\"\(command)\"}"]
          ).output
        }
        // The guest boots under TCG and starts its agent.
        #expect(
          try await eventually(timeout: .seconds(120)) { (try? agent("guest-ping"))?.contains("return") == true },
          "the guest's agent did not answer")
        let taken = try await cluster.tasks.wait(
          for: try await cluster.vms.createSnapshot(name, name: "frozen").id, timeout: .seconds(120))
        #expect(taken.state == .success, "\(taken.status)")
        // Its ext2 /data was frozen while both disks were snapshotted, and is thawed now.
        #expect(taken.status.contains("1 filesystem frozen through the guest agent"), "\(taken.status)")
        #expect(try agent("guest-fsfreeze-status").contains("thawed"))
        let snapshot = try #require(try await cluster.vms.info(name).snapshots.first { $0.name == "frozen" })
        #expect(snapshot.rbdSnapshots.count == 2)
        _ = try await cluster.tasks.wait(
          for: try await cluster.vms.removeSnapshot(name, name: "frozen").id, timeout: .seconds(60))
        try await cluster.vms.setState(name, .stop, force: true, wait: true)
        try await cluster.vms.remove(name, deleteDisks: true)
      } catch {
        try? await cluster.storage.removePool(poolName)
        await cluster.close()
        throw error
      }
      try await cluster.storage.removePool(poolName)
      await cluster.close()
    }
  }

  @Test("a snapshot exported full, then incremental, in upstream's layout, comes back byte for byte on import")
  func exportImport() async throws {
    let configuration = SimulatedNodeConfiguration.text(
      nodeNet: NodeCluster.nodeNet, ceph: TestServices.cephConfiguration)
    try await NodeCluster.with(configuration: configuration) { nodes in
      let cluster = try await PVCCluster.connect(
        .zookeeper(hosts: nodes.hosts), ceph: CephAccess(configurationFile: TestServices.cephConfiguration))
      let tag = UUID().uuidString.prefix(6).lowercased()
      let poolName = "export-\(tag)"
      let directory = "/tmp/pvckit-export-\(tag)"
      #expect(try await eventually(timeout: .seconds(20)) { try await cluster.nodes.primary() != nil })
      try await cluster.storage.addPool(poolName, pgs: 8, replication: "copies=2,mincopies=1", tier: "default")
      try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
      defer { try? FileManager.default.removeItem(atPath: directory) }
      do {
        let rados = try await RadosConnection.connect(configurationFile: TestServices.cephConfiguration)
        let pool = try RBDPool(rados, pool: poolName)
        let name = "expvm-\(tag)"
        let first = Array("first state \(tag)".utf8)
        let second = Array(repeating: UInt8(0x5a), count: 4096)
        for disk in ["sda", "sdb"] {
          try await cluster.storage.addVolume("\(name)_\(disk)", pool: poolName, size: "16M", force: true)
          try await pool.write("\(name)_\(disk)", at: 0, first)
        }
        let uuid = UUID().uuidString.lowercased()
        let disks = ["sda", "sdb"].map { disk in
          """
          <disk type='network' device='disk'><driver name='qemu' type='raw'/>\
          <source protocol='rbd' name='\(poolName)/\(name)_\(disk)'/><target dev='\(disk)' bus='scsi'/></disk>
          """
        }.joined()
        let xml = TestGuests.xml(name: name, uuid: uuid).replacingOccurrences(
          of: "<devices>", with: "<devices><controller type='scsi' index='0' model='virtio-scsi'/>\(disks)")
        _ = try await cluster.vms.define(VMDefinition(xml: xml, node: nil, initialState: .stop))
        func succeeds(_ queued: ClusterTask) async throws {
          let done = try await cluster.tasks.wait(for: queued.id, timeout: .seconds(180))
          #expect(done.state == .success, "\(done.name): \(done.status)")
        }
        try await succeeds(try await cluster.vms.createSnapshot(name, name: "s1"))
        for disk in ["sda", "sdb"] { try await pool.write("\(name)_\(disk)", at: 1 << 20, second) }
        try await succeeds(try await cluster.vms.createSnapshot(name, name: "s2"))

        try await succeeds(
          try await cluster.vms.exportSnapshot(name, name: "s1", to: directory, incrementalParent: nil))
        try await succeeds(
          try await cluster.vms.exportSnapshot(name, name: "s2", to: directory, incrementalParent: "s1"))
        // Upstream's layout and keys.
        let full =
          try JSONSerialization.jsonObject(
            with: Data(contentsOf: URL(fileURLWithPath: "\(directory)/\(name)/s1/snapshot.json"))) as? [String: Any]
        #expect(full?["type"] as? String == "full" && full?["incremental_parent"] is NSNull)
        #expect((full?["vm_detail"] as? [String: Any])?["uuid"] as? String == uuid)
        #expect(FileManager.default.fileExists(atPath: "\(directory)/\(name)/s1/images/\(poolName).\(name)_sda.rbdimg"))
        #expect(
          FileManager.default.fileExists(atPath: "\(directory)/\(name)/s2/images/\(poolName).\(name)_sdb.rbddiff"))
        // An export never overwrites, and paths are checked before anything is queued.
        let again = try await cluster.tasks.wait(
          for: try await cluster.vms.exportSnapshot(name, name: "s1", to: directory, incrementalParent: nil).id,
          timeout: .seconds(60))
        #expect(again.state == .failure && again.status.contains("exists"), "\(again.status)")
        await #expect(throws: VMError.self) {
          try await cluster.vms.exportSnapshot(name, name: "s1", to: "relative/path", incrementalParent: nil)
        }
        await #expect(throws: VMError.self) {
          try await cluster.vms.importSnapshot(name, name: "s1", from: "/tmp/../etc", retainSnapshot: true)
        }
        // Importing over the VM that exists is refused.
        let over = try await cluster.tasks.wait(
          for: try await cluster.vms.importSnapshot(name, name: "s2", from: directory, retainSnapshot: true).id,
          timeout: .seconds(60))
        #expect(over.state == .failure && over.status.contains("exists"), "\(over.status)")

        // Gone, then back from the incremental export (over its full parent), with both snapshots kept.
        try await cluster.vms.remove(name, deleteDisks: true)
        try await succeeds(
          try await cluster.vms.importSnapshot(name, name: "s2", from: directory, retainSnapshot: true))
        let imported = try await cluster.vms.info(name)
        #expect(imported.uuid == uuid && Set(imported.snapshots.map(\.name)) == ["s1", "s2"])
        #expect(try await eventually(timeout: .seconds(60)) { try await cluster.vms.info(name).state == .start })
        for disk in ["sda", "sdb"] {
          #expect(try await pool.read("\(name)_\(disk)", at: 0, count: first.count) == first)
          #expect(try await pool.read("\(name)_\(disk)", at: 1 << 20, count: second.count) == second)
          #expect(Set(try await pool.snapshots(of: "\(name)_\(disk)").map(\.name)) == ["s1", "s2"])
        }
        // And from the full export alone, without its snapshot: the first state.
        try await cluster.vms.remove(name, deleteDisks: true)
        try await succeeds(
          try await cluster.vms.importSnapshot(name, name: "s1", from: directory, retainSnapshot: false))
        #expect(try await cluster.vms.info(name).snapshots.isEmpty)
        for disk in ["sda", "sdb"] {
          #expect(try await pool.read("\(name)_\(disk)", at: 1 << 20, count: second.count) != second)
          #expect(try await pool.snapshots(of: "\(name)_\(disk)").isEmpty)
        }
        try await cluster.vms.remove(name, deleteDisks: true)
      } catch {
        try? await cluster.storage.removePool(poolName)
        await cluster.close()
        throw error
      }
      try await cluster.storage.removePool(poolName)
      await cluster.close()
    }
  }

  @Test("legacy backups restore byte for byte; autobackup takes full and incremental backups and keeps its retention")
  func backupsAndAutobackup() async throws {
    let tag = UUID().uuidString.prefix(6).lowercased()
    let root = "/tmp/pvckit-ab-\(tag)"
    let configuration =
      SimulatedNodeConfiguration.text(nodeNet: NodeCluster.nodeNet, ceph: TestServices.cephConfiguration) + """

        autobackup:
          backup_root_path: "\(root)"
          backup_root_suffix: "/cluster"
          backup_tags: ["autobackup"]
          backup_schedule: {full_interval: 2, full_retention: 1}

        """
    try FileManager.default.createDirectory(atPath: root + "/legacy", withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: root) }
    try await NodeCluster.with(configuration: configuration) { nodes in
      let cluster = try await PVCCluster.connect(
        .zookeeper(hosts: nodes.hosts), ceph: CephAccess(configurationFile: TestServices.cephConfiguration))
      let poolName = "backup-\(tag)"
      #expect(try await eventually(timeout: .seconds(20)) { try await cluster.nodes.primary() != nil })
      try await cluster.storage.addPool(poolName, pgs: 8, replication: "copies=2,mincopies=1", tier: "default")
      do {
        let rados = try await RadosConnection.connect(configurationFile: TestServices.cephConfiguration)
        let pool = try RBDPool(rados, pool: poolName)
        let name = "bkvm-\(tag)"
        let volume = "\(name)_sda"
        try await cluster.storage.addVolume(volume, pool: poolName, size: "16M", force: true)
        try await pool.write(volume, at: 0, Array("first \(tag)".utf8))
        let xml = TestGuests.xml(name: name).replacingOccurrences(
          of: "<devices>",
          with: "<devices><controller type='scsi' index='0' model='virtio-scsi'/><disk type='network' device='disk'>"
            + "<driver name='qemu' type='raw'/><source protocol='rbd' name='\(poolName)/\(volume)'/>"
            + "<target dev='sda' bus='scsi'/></disk>")
        _ = try await cluster.vms.define(VMDefinition(xml: xml, initialState: .stop))

        // Legacy: full (its snapshot kept), then incremental, restored over its parent.
        let legacy = root + "/legacy"
        let full = try await cluster.vms.backup(name, to: legacy, incrementalParent: nil, retainSnapshot: true)
        #expect(full.contains("Successfully backed up"), "\(full)")
        let firstDate = try #require(try FileManager.default.contentsOfDirectory(atPath: "\(legacy)/\(name)").first)
        #expect(FileManager.default.fileExists(atPath: "\(legacy)/\(name)/\(firstDate)/pvcbackup.json"))
        #expect(
          FileManager.default.fileExists(
            atPath: "\(legacy)/\(name)/\(firstDate)/pvcdisks/\(poolName).\(volume).rbdimg"))
        try await Task.sleep(for: .seconds(1.1))
        let second = Array(repeating: UInt8(0x42), count: 9000)
        try await pool.write(volume, at: 2 << 20, second)
        let incremental = try await cluster.vms.backup(
          name, to: legacy, incrementalParent: firstDate, retainSnapshot: false)
        #expect(incremental.contains("incremental@"), "\(incremental)")
        let secondDate = try #require(
          try FileManager.default.contentsOfDirectory(atPath: "\(legacy)/\(name)").sorted().last)
        await #expect(throws: (any Error).self) {
          try await cluster.vms.backup(name, to: legacy, incrementalParent: firstDate, retainSnapshot: true)
        }
        try await cluster.vms.remove(name, deleteDisks: true)
        let restored = try await cluster.vms.restoreBackup(
          name, from: legacy, datestring: secondDate, retainSnapshot: true)
        #expect(restored.contains("Successfully restored"), "\(restored)")
        #expect(try await pool.read(volume, at: 2 << 20, count: second.count) == second)
        #expect(try await pool.snapshots(of: volume).map(\.name) == ["backup_\(firstDate)"])
        let removed = try await cluster.vms.removeBackup(name, at: legacy, datestring: secondDate)
        #expect(
          removed.contains("Removed") && !FileManager.default.fileExists(atPath: "\(legacy)/\(name)/\(secondDate)"))

        // Autobackup: full, incremental, full (the first full and its incremental expire), incremental.
        try await cluster.vms.addTag(name, VMTag(name: "autobackup"))
        let directory = "\(root)/cluster/\(name)"
        var kinds: [String] = []
        for _ in 0..<4 {
          try await Task.sleep(for: .seconds(1.1))
          let run = try await cluster.tasks.wait(
            for: try await cluster.vms.autobackup(forceFull: false).id, timeout: .seconds(300))
          #expect(run.state == .success, "\(run.status)")
          kinds.append(run.status.contains("incremental backup") ? "incremental" : "full")
        }
        #expect(kinds == ["full", "incremental", "full", "incremental"])
        let tracked =
          try JSONSerialization.jsonObject(
            with: Data(contentsOf: URL(fileURLWithPath: directory + "/.autobackup.json"))) as? [String: Any]
        let entries = tracked?["tracked_backups"] as? [[String: Any]] ?? []
        #expect(entries.map { $0["type"] as? String } == ["incremental", "full"])
        let kept = Set(entries.compactMap { $0["snapshot_name"] as? String })
        let dirs = Set(try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasPrefix("ab") })
        #expect(dirs == kept)
        // Only the kept full backup's snapshot stays on the VM.
        let fullName = entries.last?["snapshot_name"] as? String
        #expect(try await cluster.vms.info(name).snapshots.map(\.name).filter { $0.hasPrefix("ab") } == [fullName])
        #expect(FileManager.default.fileExists(atPath: "\(root)/cluster/.autobackup-report.json"))
        try await cluster.vms.remove(name, deleteDisks: true)
      } catch {
        try? await cluster.storage.removePool(poolName)
        await cluster.close()
        throw error
      }
      try await cluster.storage.removePool(poolName)
      await cluster.close()
    }
  }
}
