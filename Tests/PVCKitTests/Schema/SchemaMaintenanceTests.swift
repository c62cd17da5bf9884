import PVCKit
import PVCKitFixtures
import Testing

/// Repair and migration of a live tree in a real ZooKeeper.
@Suite("Schema maintenance")
struct SchemaMaintenanceTests {
  @Test("upstream data is read as it is, one record in one batch")
  func readsUpstreamRecords() async throws {
    let (zk, _) = try await TestServices.client()
    defer { Task { await zk.close() } }
    try await UpstreamSeeder(zookeeper: zk, vms: 12).seed()

    let node = try await zk.record(try Layout.node("hv2"))
    #expect(node[.daemonState] == "run")
    #expect(node[.routerState] == "secondary")
    #expect(node.int(.domainCount) == 4)
    #expect(node.values.count == NodeKey.allCases.count)

    let uuid = UpstreamSeeder.uuid(5)
    let vm = try await zk.record(try Layout.domain(uuid), keys: [.root, .state, .node, .migrationMaxDowntime, .xml])
    #expect(vm[.root] == "vm0005")
    #expect(vm[.node] == "hv2")
    #expect(vm.int(.migrationMaxDowntime) == 300)
    #expect(vm[.xml]?.contains("<uuid>\(uuid)</uuid>") == true)

    let maintenance = SchemaMaintenance(zookeeper: zk)
    #expect(try await maintenance.recordedVersion() == 15)
    #expect(try await maintenance.missingKeys().isEmpty)
    let objects = try await maintenance.objects()
    #expect(objects[.domain]?.count == 12)
    #expect(objects[.tag]?.count == 12)
    #expect(objects[.network]?.count == 2)
  }

  @Test("missing keys are filled with their defaults")
  func repairFillsDefaults() async throws {
    let (zk, _) = try await TestServices.client()
    defer { Task { await zk.close() } }
    try await UpstreamSeeder(zookeeper: zk, vms: 3).seed()
    let vm = try Layout.domain(UpstreamSeeder.uuid(2))
    try await zk.delete(vm.path(.migrationMaxDowntime))
    try await zk.delete(vm.path(.snapshots))
    try await zk.deleteRecursively(try Layout.node("hv1").path(.sriov))
    try await zk.create(try Layout.osd("0").path(.root), "0")
    try await zk.create(try Layout.pool("vms").path(.root), "vms")
    try await zk.delete(Layout.base.path(.fenceLock))

    let maintenance = SchemaMaintenance(zookeeper: zk)
    let missing = try await maintenance.missingKeys()
    #expect(missing.contains { $0.path == vm.path(.migrationMaxDowntime) && $0.value == "300" })
    #expect(missing.contains { $0.path == "/ceph/osds/0/fsid/osd" })
    let created = try await maintenance.fillMissingKeys()
    #expect(Set(created) == Set(missing.map(\.path)))
    #expect(try await zk.string(vm.path(.migrationMaxDowntime)) == "300")
    #expect(try await zk.string(try Layout.osd("0").path(.isSplit)) == "False")
    #expect(try await zk.string(try Layout.pool("vms").path(.tier)) == "default")
    #expect(try await zk.exists("/nodes/hv1/sriov/vf") != nil)
    #expect(try await zk.exists(Layout.base.path(.fenceLock)) != nil)
    #expect(try await maintenance.missingKeys().isEmpty)
  }

  @Test("migrating a v9 tree to v15 applies the key differences to every object")
  func migrateFromVersion9() async throws {
    let (zk, _) = try await TestServices.client()
    defer { Task { await zk.close() } }
    try await UpstreamSeeder(zookeeper: zk, vms: 2).seed()
    // Turn the tree into what upstream 0.9.x wrote at schema 9.
    for key in [BaseKey.faults, .fenceLock] { try await zk.deleteRecursively(Layout.base.path(key)) }
    try await zk.multi([
      .create("/cmd", ""), .create("/cmd/nodes", ""), .create("/cmd/domains", "x"), .create("/cmd/ceph", ""),
    ])
    for node in UpstreamSeeder.nodes {
      try await zk.delete(try Layout.node(node).path(.monitoringHealth))
      try await zk.delete(try Layout.node(node).path(.networkStats))
    }
    let vm = try Layout.domain(UpstreamSeeder.uuid(1))
    try await zk.delete(vm.path(.migrationMaxDowntime))
    try await zk.delete(vm.path(.snapshots))
    try await zk.set(Layout.base.path(.schemaVersion), "9")

    let report = try await SchemaMaintenance(zookeeper: zk).migrate(to: 15)
    #expect(report.from == 9 && report.to == 15)
    #expect(report.deleted == ["/cmd"])
    #expect(try await zk.exists("/cmd") == nil)
    #expect(try await zk.exists(Layout.base.path(.faults)) != nil)
    #expect(try await zk.string(vm.path(.migrationMaxDowntime)) == "300")
    #expect(try await zk.exists(try Layout.node("hv3").path(.networkStats)) != nil)
    #expect(try await zk.string(Layout.base.path(.schemaVersion)) == "15")
    // The migration lock was released.
    #expect(try await zk.children(Layout.base.path(.schemaVersion)).isEmpty)

    // And back down again: v15-only keys go, v9 keys return.
    let down = try await SchemaMaintenance(zookeeper: zk).migrate(to: 9)
    #expect(down.deleted.contains(vm.path(.migrationMaxDowntime)))
    #expect(try await zk.exists("/cmd/domains") != nil)
    #expect(try await zk.exists(Layout.base.path(.faults)) == nil)
  }
}
