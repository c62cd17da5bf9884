import Foundation
import PVCKit
import PVCKitFixtures
import Testing

/// The cluster-wide API against a real ZooKeeper.
@Suite("Cluster operations")
struct ClusterOperationsTests {
  static func cluster(name: String = #function) async throws -> (PVCCluster, String) {
    let hosts = try await TestServices.chroot(name: name)
    return (try await PVCCluster.connect(.zookeeper(hosts: hosts)), hosts)
  }

  @Test("initialize creates the base layout and refuses to run twice unless told")
  func initialize() async throws {
    let (cluster, _) = try await Self.cluster()
    defer { Task { await cluster.close() } }
    let zk = try #require(cluster.zookeeper)

    let uninitialized = await #expect(throws: ClusterError.self) { try await cluster.status() }
    #expect(uninitialized == .notInitialized)

    try await cluster.initialize()
    #expect(try await zk.string(Layout.base.path(.schemaVersion)) == "15")
    #expect(try await zk.string(Layout.base.path(.maintenance)) == "false")
    #expect(try await zk.string(Layout.base.path(.primaryNode)) == "none")
    #expect(try await SchemaMaintenance(zookeeper: zk).missingKeys().isEmpty)

    try await zk.create(try Layout.node("hv1").path(.root), "coordinator")
    let again = await #expect(throws: ClusterError.self) { try await cluster.initialize() }
    #expect(again == .alreadyInitialized)
    #expect(again?.description.contains("overwrite") == true)
    #expect(try await zk.exists("/nodes/hv1") != nil)

    try await cluster.initialize(overwrite: true)
    #expect(try await zk.exists("/nodes/hv1") == nil)
    #expect(try await zk.string(Layout.base.path(.schemaVersion)) == "15")
  }

  @Test("status of a fresh cluster and of an upstream-layout cluster")
  func status() async throws {
    let (cluster, _) = try await Self.cluster()
    defer { Task { await cluster.close() } }
    try await cluster.initialize()
    let empty = try await cluster.status()
    #expect(empty.clusterHealth.health == 100)
    #expect(empty.nodes == ["total": 0])
    #expect(empty.primaryNode == nil)
    #expect(!empty.maintenance)

    let zk = try #require(cluster.zookeeper)
    try await UpstreamSeeder(zookeeper: zk, vms: 30).seed()
    let fault = try Layout.fault("VM_FAILED_vm0003")
    try await zk.multi([
      .create(fault.path(.root), ""), .create(fault.path(.firstTime), "2026-11-25 10:00:00"),
      .create(fault.path(.lastTime), "2026-11-25 10:05:00"), .create(fault.path(.ackTime), ""),
      .create(fault.path(.status), "new"), .create(fault.path(.delta), "10"),
      .create(fault.path(.message), "VM vm0003 was failed"),
    ])
    try await zk.set(try Layout.domain(UpstreamSeeder.uuid(3)).path(.state), "fail")

    let status = try await cluster.status()
    #expect(status.clusterName == "pvc-test")
    #expect(status.nodes == ["total": 3, "run,ready": 3])
    #expect(status.vms == ["total": 30, "start": 29, "fail": 1])
    #expect(status.networks == 2)
    #expect(status.primaryNode == "hv1")
    #expect(status.pvcVersion == "1.0.3")
    #expect(status.clusterHealth.health == 90)
    #expect(status.clusterHealth.messages.first?.id == "VM_FAILED_vm0003")
    #expect(status.nodeHealth["hv2"]?.health == 100)
    #expect(status.resources.memory.total == 3 * 257_664)
    #expect(status.resources.cpu.total == 96)
    #expect(status.detail.vm.count == 30)

    // The JSON has upstream's keys and value types.
    let json = try JSONSerialization.jsonObject(with: UpstreamJSON.encode(status)) as! [String: Any]
    #expect(json["maintenance"] as? String == "false")
    #expect((json["cluster_health"] as? [String: Any])?["health"] as? Int == 90)
    #expect((json["nodes"] as? [String: Int])?["run,ready"] == 3)
    #expect(json["primary_node"] as? String == "hv1")
    let decoded = try UpstreamJSON.decoder.decode(ClusterStatus.self, from: UpstreamJSON.encode(status))
    #expect(decoded == status)
  }

  @Test("maintenance turns on and off, and says when nothing changed")
  func maintenance() async throws {
    let (cluster, _) = try await Self.cluster()
    defer { Task { await cluster.close() } }
    try await cluster.initialize()
    #expect(try await cluster.setMaintenance(true))
    #expect(try await cluster.status().maintenance)
    #expect(try await !cluster.setMaintenance(true))
    #expect(try await cluster.setMaintenance(false))
    #expect(try await !cluster.status().maintenance)
  }

  @Test("backup then restore brings back exactly the backed-up tree")
  func backupRestoreRoundTrip() async throws {
    let (cluster, _) = try await Self.cluster()
    defer { Task { await cluster.close() } }
    let zk = try #require(cluster.zookeeper)
    try await UpstreamSeeder(zookeeper: zk, vms: 20).seed()
    try await zk.create("/config/fence_lock/x__lock__0000000001", data: [], mode: .ephemeral)

    let backup = try await cluster.backup()
    #expect(backup.schemaVersion == 15)
    #expect(backup.entries["/"] == "")
    #expect(backup.entries["/nodes/hv1/daemonstate"] == "run")
    #expect(backup.entries.keys.contains { $0.hasPrefix("/zookeeper") } == false)
    #expect(backup.entries["/config/fence_lock/x__lock__0000000001"] == nil)

    // The JSON is upstream's flat path → string map and parses back to the same backup.
    let json = backup.jsonData()
    let parsed = try JSONSerialization.jsonObject(with: json) as! [String: String]
    #expect(parsed["/schema/version"] == "15")
    #expect(try ClusterBackup(json: json) == backup)

    // Change the cluster: edit, add and delete nodes.
    let vm = try Layout.domain(UpstreamSeeder.uuid(7))
    try await zk.set(vm.path(.state), "stop")
    try await zk.deleteRecursively(try Layout.domain(UpstreamSeeder.uuid(8)).basePath)
    try await zk.create(try Layout.node("hv9").path(.root), "hypervisor")
    try await cluster.setMaintenance(true)

    try await cluster.restore(try ClusterBackup(json: json))
    let after = try await cluster.backup()
    #expect(after.entries.count == backup.entries.count)
    #expect(after == backup)
    // Live sessions' ephemeral nodes are left alone.
    #expect(try await zk.exists("/config/fence_lock/x__lock__0000000001") != nil)
  }

  @Test("restore refuses another schema version or a malformed backup, changing nothing")
  func restoreRefusals() async throws {
    let (cluster, _) = try await Self.cluster()
    defer { Task { await cluster.close() } }
    try await cluster.initialize()
    let before = try await cluster.backup()

    var old = before
    old.entries["/schema/version"] = "14"
    old.entries["/nodes/intruder"] = "x"
    let mismatch = await #expect(throws: ClusterError.self) { try await cluster.restore(old) }
    #expect(mismatch == .schemaMismatch(backup: 14, cluster: 15))
    #expect(try await cluster.backup() == before)

    // Every record is checked before anything is written: names, values and VM definitions.
    let uuid = "0f5d2c6e-8a7b-4c1d-9e2f-3a4b5c6d7e8f"
    for (path, value, reason) in [
      ("/nodes/.bad", "", "invalid node name"),
      ("/nodes/hv1/memtotal", "1e999", "not a whole number"),
      ("/domains/not-a-uuid", "x", "is not a VM UUID"),
      (
        "/domains/\(uuid)/xml",
        "<domain><name>a</name><uuid>\(uuid)</uuid><memory unit='TiB'>inf</memory><vcpu>1</vcpu></domain>",
        "no valid <memory>"
      ),
      ("/domains/\(uuid)/xml", "<domain><name>vm</name></domain", "not well-formed"),
      ("/domains/\(uuid)/node_autostart", "maybe", "not true or false"),
      ("/faults/x/delta", "NaN", "not a whole number"),
    ] {
      var damaged = before
      damaged.entries[path] = value
      let error = await #expect(throws: ClusterError.self) { try await cluster.restore(damaged) }
      #expect(
        error?.description.contains(path) == true && error?.description.contains(reason) == true,
        "\(error?.description ?? "accepted")")
    }
    #expect(try await cluster.backup() == before)

    for bad in [#"[1, 2]"#, #"{"/a": 3}"#, #"{"relative": ""}"#, #"{"/a/../b": ""}"#, "not json", "{}"] {
      let error = #expect(throws: ClusterError.self) { try ClusterBackup(json: Data(bad.utf8)) }
      guard case .invalidBackup = error else {
        Issue.record("\(bad) was accepted")
        continue
      }
    }
    // Upstream's API wraps the object in a JSON string: that is accepted too.
    let wrapped = try JSONSerialization.data(
      withJSONObject: String(decoding: before.jsonData(), as: UTF8.self), options: [.fragmentsAllowed])
    #expect(try ClusterBackup(json: wrapped) == before)
  }
}
