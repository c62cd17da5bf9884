import Foundation
import PVCKit
import PVCKitFixtures
import Testing

/// VM requests against a real ZooKeeper holding an upstream-layout cluster
/// (no node daemons: these tests check what the requests write).
@Suite("VM operations")
struct VMOperationsTests {
  static func cluster(vms: Int = 6, name: String = #function) async throws -> (PVCCluster, ZooKeeper) {
    let hosts = try await TestServices.chroot(name: name)
    let cluster = try await PVCCluster.connect(.zookeeper(hosts: hosts))
    let zk = try #require(cluster.zookeeper)
    try await UpstreamSeeder(zookeeper: zk, vms: vms).seed()
    return (cluster, zk)
  }

  static func xml(_ name: String, uuid: String = UUID().uuidString.lowercased(), memoryMiB: Int = 512) -> String {
    TestGuests.xml(name: name, uuid: uuid, memoryMiB: memoryMiB)
  }

  @Test("define places a VM by selector or on the node asked, and refuses what cannot work")
  func define() async throws {
    let (cluster, zk) = try await Self.cluster()
    defer { Task { await cluster.close() } }
    // hv3 has the most free memory once hv1 and hv2 are made fuller.
    try await zk.set(try Layout.node("hv1").path(.memoryFree), "1000")
    try await zk.set(try Layout.node("hv2").path(.memoryFree), "2000")
    let (uuid, name) = try await cluster.vms.define(
      VMDefinition(xml: Self.xml("web1"), tags: [VMTag(name: "prod", protected: true)]))
    #expect(name == "web1")
    let info = try await cluster.vms.info("web1")
    #expect(info.uuid == uuid)
    #expect(info.node == "hv3")
    #expect(info.state == .stop)
    #expect(info.memory == 512)
    #expect(info.tags == [VMTag(name: "prod", protected: true)])
    #expect(info.migrationMaxDowntime == 300)
    #expect(try await cluster.vms.info(uuid.uppercased()).name == "web1")

    let placed = try await cluster.vms.define(
      VMDefinition(xml: Self.xml("web2"), node: "hv1", nodeLimit: ["hv1", "hv2"], nodeSelector: .vms, autostart: true))
    let second = try await cluster.vms.info(placed.uuid)
    #expect(second.node == "hv1")
    #expect(second.nodeLimit == ["hv1", "hv2"])
    #expect(second.nodeSelector == "vms")
    #expect(second.nodeAutostart)

    let before = try await zk.children(Layout.base.path(.domains)).count
    let duplicateName = await #expect(throws: VMError.self) {
      try await cluster.vms.define(VMDefinition(xml: Self.xml("web1")))
    }
    #expect(
      duplicateName
        == .duplicate(
          name: "web1", uuid: duplicateName.map { if case .duplicate(_, let u) = $0 { u } else { "" } } ?? ""))
    let duplicateUUID = await #expect(throws: VMError.self) {
      try await cluster.vms.define(VMDefinition(xml: Self.xml("other", uuid: uuid)))
    }
    #expect(duplicateUUID?.description.contains(uuid) == true)
    let unknownNode = await #expect(throws: VMError.self) {
      try await cluster.vms.define(VMDefinition(xml: Self.xml("x1"), node: "hv9"))
    }
    #expect(unknownNode == .nodeNotFound("hv9"))
    let outside = await #expect(throws: VMError.self) {
      try await cluster.vms.define(VMDefinition(xml: Self.xml("x2"), node: "hv3", nodeLimit: ["hv1"]))
    }
    #expect(outside == .nodeNotAllowed(node: "hv3", vm: "x2"))
    let badLimit = await #expect(throws: VMError.self) {
      try await cluster.vms.define(VMDefinition(xml: Self.xml("x3"), nodeLimit: ["hv1", "nosuch"]))
    }
    #expect(badLimit == .nodeNotFound("nosuch"))
    let huge = await #expect(throws: VMError.self) {
      try await cluster.vms.define(VMDefinition(xml: Self.xml("x4", memoryMiB: 512 * 1024), node: "hv1"))
    }
    #expect(huge?.description.contains("more memory") == true)
    let badXML = await #expect(throws: VMError.self) { try await cluster.vms.define(VMDefinition(xml: "<domain>")) }
    guard case .invalidXML = badXML else {
      throw VMError.invalidArgument("expected invalidXML, got \(String(describing: badXML))")
    }
    for node in ["hv1", "hv2", "hv3"] { try await zk.set(try Layout.node(node).path(.domainState), "flushed") }
    let nowhere = await #expect(throws: VMError.self) {
      try await cluster.vms.define(VMDefinition(xml: Self.xml("x5")))
    }
    #expect(nowhere == .noTarget(vm: "x5"))
    #expect(try await zk.children(Layout.base.path(.domains)).count == before)
  }

  @Test("list filters by name pattern, UUID, node, state and tag, with negation")
  func listFilters() async throws {
    let (cluster, zk) = try await Self.cluster(vms: 9)
    defer { Task { await cluster.close() } }
    try await zk.set(try Layout.domain(UpstreamSeeder.uuid(2)).path(.state), "stop")
    let all = try await cluster.vms.list()
    #expect(all.map(\.name) == (1...9).map(UpstreamSeeder.name))
    #expect(try await cluster.vms.list(VMFilter(limit: "0003")).map(\.name) == ["vm0003"])
    #expect(try await cluster.vms.list(VMFilter(limit: "^vm000[12]$")).map(\.name) == ["vm0001", "vm0002"])
    #expect(try await cluster.vms.list(VMFilter(limit: "vm000", fuzzy: false)).isEmpty)
    #expect(try await cluster.vms.list(VMFilter(limit: "vm0001", fuzzy: false)).map(\.name) == ["vm0001"])
    #expect(try await cluster.vms.list(VMFilter(limit: UpstreamSeeder.uuid(5))).map(\.name) == ["vm0005"])
    #expect(try await cluster.vms.list(VMFilter(node: "hv2")).map(\.name) == ["vm0002", "vm0005", "vm0008"])
    #expect(try await cluster.vms.list(VMFilter(node: "hv2", negate: true)).count == 6)
    #expect(try await cluster.vms.list(VMFilter(state: .stop)).map(\.name) == ["vm0002"])
    #expect(try await cluster.vms.list(VMFilter(tag: "bench")).count == 9)
    #expect(try await cluster.vms.list(VMFilter(tag: "bench", negate: true)).isEmpty)
    let badPattern = await #expect(throws: VMError.self) { try await cluster.vms.list(VMFilter(limit: "(")) }
    #expect(badPattern?.description.contains("invalid name pattern") == true)
    let badNode = await #expect(throws: VMError.self) { try await cluster.vms.list(VMFilter(node: "hv7")) }
    #expect(badNode == .nodeNotFound("hv7"))

    // Upstream's seeded VMs are read as they are.
    let vm = try #require(all.first)
    #expect(vm.networks.first?.vni == "100")
    #expect(vm.disks.first?.name == "vms/vm0001_sda")
    #expect(vm.vnc.port != nil)
    #expect(vm.memoryStats["actual"] != nil)
  }

  @Test("state requests write the desired state and refuse the impossible")
  func stateRequests() async throws {
    let (cluster, zk) = try await Self.cluster()
    defer { Task { await cluster.close() } }
    let ref = try Layout.domain(UpstreamSeeder.uuid(1))
    try await cluster.vms.stop("vm0001")
    #expect(try await zk.string(ref.path(.state)) == "stop")
    let restart = await #expect(throws: VMError.self) { try await cluster.vms.restart("vm0001") }
    #expect(restart?.description.contains("only a started VM") == true)
    try await cluster.vms.start("vm0001")
    #expect(try await zk.string(ref.path(.state)) == "start")
    try await cluster.vms.shutdown("vm0001")
    #expect(try await zk.string(ref.path(.state)) == "shutdown")
    try await zk.set(ref.path(.state), "start")
    try await cluster.vms.disable("vm0001", force: true)
    #expect(try await zk.string(ref.path(.state)) == "disable")
    try await zk.set(ref.path(.state), "mirror")
    let mirror = await #expect(throws: VMError.self) { try await cluster.vms.start("vm0001") }
    #expect(mirror == .mirrorNotForced(vm: "vm0001", action: "start"))
    try await cluster.vms.start("vm0001", force: true)
    let missing = await #expect(throws: VMError.self) { try await cluster.vms.start("nosuchvm") }
    #expect(missing == .notFound("nosuchvm"))
  }

  @Test("migrate remembers the old node, unmigrate returns, move forgets")
  func migrations() async throws {
    let (cluster, zk) = try await Self.cluster()
    defer { Task { await cluster.close() } }
    let ref = try Layout.domain(UpstreamSeeder.uuid(1))  // on hv1, started
    #expect(
      try await cluster.vms.migrate("vm0001", to: "hv2", force: false, forceLive: false, wait: false)
        == .moving(to: "hv2"))
    #expect(
      try await zk.getMany([ref.path(.state), ref.path(.node), ref.path(.lastNode)]).map { $0?.string }
        == ["migrate", "hv2", "hv1"])
    try await zk.set(ref.path(.state), "start")

    let again = await #expect(throws: VMError.self) {
      try await cluster.vms.migrate("vm0001", to: "hv3", force: false, forceLive: false, wait: false)
    }
    #expect(again == .alreadyMigrated(vm: "vm0001"))
    _ = try await cluster.vms.migrate("vm0001", to: "hv3", force: true, forceLive: true, wait: false)
    #expect(
      try await zk.getMany([ref.path(.state), ref.path(.node), ref.path(.lastNode)]).map { $0?.string }
        == ["migrate-live", "hv3", "hv1"])
    try await zk.set(ref.path(.state), "start")

    #expect(try await cluster.vms.unmigrate("vm0001", forceLive: false, wait: false) == .moving(to: "hv1"))
    #expect(try await zk.getMany([ref.path(.node), ref.path(.lastNode)]).map { $0?.string } == ["hv1", ""])
    try await zk.set(ref.path(.state), "start")
    let notMigrated = await #expect(throws: VMError.self) {
      try await cluster.vms.unmigrate("vm0001", forceLive: false, wait: false)
    }
    #expect(notMigrated == .notMigrated(vm: "vm0001"))

    _ = try await cluster.vms.migrate("vm0001", to: "hv2", force: false, forceLive: false, wait: false)
    try await zk.set(ref.path(.state), "start")
    #expect(
      try await cluster.vms.move("vm0001", to: "hv2", forceLive: false, wait: false) == .madePermanent(node: "hv2"))
    #expect(try await zk.string(ref.path(.lastNode)) == "")
    #expect(try await cluster.vms.move("vm0001", to: "hv3", forceLive: false, wait: false) == .moving(to: "hv3"))
    #expect(try await zk.getMany([ref.path(.node), ref.path(.lastNode)]).map { $0?.string } == ["hv3", ""])
    let same = await #expect(throws: VMError.self) {
      try await cluster.vms.move("vm0001", to: "hv3", forceLive: false, wait: false)
    }
    #expect(same == .alreadyOnNode(vm: "vm0001", node: "hv3"))

    // A stopped VM is simply reassigned; the selector picks when no node is named.
    try await zk.set(ref.path(.state), "stop")
    try await zk.set(try Layout.node("hv1").path(.memoryFree), "99999999")
    #expect(try await cluster.vms.move("vm0001", to: nil, forceLive: false, wait: false) == .moving(to: "hv1"))
    #expect(try await zk.string(ref.path(.state)) == "stop")

    try await cluster.vms.setMetadata("vm0001", VMMetadataChange(nodeLimit: ["hv1", "hv2"]))
    let outside = await #expect(throws: VMError.self) {
      try await cluster.vms.migrate("vm0001", to: "hv3", force: false, forceLive: false, wait: false)
    }
    #expect(outside == .nodeNotAllowed(node: "hv3", vm: "vm0001"))
    try await zk.set(try Layout.node("hv2").path(.daemonState), "dead")
    let nowhere = await #expect(throws: VMError.self) {
      try await cluster.vms.migrate("vm0001", to: nil, force: false, forceLive: false, wait: false)
    }
    #expect(nowhere == .noTarget(vm: "vm0001"))
  }

  @Test("metadata, tags, rename, modify, console log and undefine")
  func metadataAndLifecycle() async throws {
    let (cluster, zk) = try await Self.cluster(vms: 2)
    defer { Task { await cluster.close() } }
    try await cluster.vms.setMetadata(
      "vm0001", VMMetadataChange(nodeSelector: .load, autostart: true, migrationMethod: .live, migrationMaxDowntime: 50)
    )
    var info = try await cluster.vms.info("vm0001")
    #expect(info.nodeSelector == "load")
    #expect(info.nodeAutostart)
    #expect(info.migrationMethod == "live")
    #expect(info.migrationMaxDowntime == 50)
    let empty = await #expect(throws: VMError.self) { try await cluster.vms.setMetadata("vm0001", VMMetadataChange()) }
    #expect(empty == .nothingToChange)
    let downtime = await #expect(throws: VMError.self) {
      try await cluster.vms.setMetadata("vm0001", VMMetadataChange(migrationMaxDowntime: 0))
    }
    #expect(downtime?.description.contains("maximum downtime") == true)
    let limit = await #expect(throws: VMError.self) {
      try await cluster.vms.setMetadata("vm0001", VMMetadataChange(nodeLimit: ["hv9"]))
    }
    #expect(limit == .nodeNotFound("hv9"))

    try await cluster.vms.addTag("vm0001", VMTag(name: "keep", protected: true))
    try await cluster.vms.addTag("vm0001", VMTag(name: "temp"))
    #expect(try await cluster.vms.info("vm0001").tags.map(\.name) == ["bench", "keep", "temp"])
    let protected = await #expect(throws: VMError.self) { try await cluster.vms.removeTag("vm0001", "keep") }
    #expect(protected?.description.contains("protected") == true)
    try await cluster.vms.removeTag("vm0001", "temp")
    let absent = await #expect(throws: VMError.self) { try await cluster.vms.removeTag("vm0001", "temp") }
    #expect(absent?.description.contains("does not exist") == true)
    let hostileTag = await #expect(throws: SchemaError.self) {
      try await cluster.vms.addTag("vm0001", VMTag(name: "../../config"))
    }
    #expect(hostileTag != nil)

    let running = await #expect(throws: VMError.self) { try await cluster.vms.rename("vm0001", to: "db1") }
    #expect(running?.description.contains("only be renamed when stopped") == true)
    try await cluster.vms.stop("vm0001")
    let taken = await #expect(throws: VMError.self) { try await cluster.vms.rename("vm0001", to: "vm0002") }
    #expect(taken == .duplicate(name: "vm0002", uuid: UpstreamSeeder.uuid(1)))
    let badName = await #expect(throws: VMError.self) { try await cluster.vms.rename("vm0001", to: "a/b") }
    guard case .invalidName = badName else { throw VMError.invalidArgument("accepted a/b") }
    try await cluster.vms.rename("vm0001", to: "db1")
    info = try await cluster.vms.info("db1")
    #expect(info.uuid == UpstreamSeeder.uuid(1))
    #expect(info.xml.contains("<name>db1</name>"))
    #expect(info.xml.contains("/var/log/libvirt/db1.log"))

    let otherUUID = await #expect(throws: VMError.self) {
      try await cluster.vms.modify("db1", xml: Self.xml("db1"), restart: false)
    }
    #expect(otherUUID?.description.contains("differs") == true)
    try await cluster.vms.modify("db1", xml: Self.xml("db2", uuid: info.uuid, memoryMiB: 768), restart: false)
    #expect(try await cluster.vms.info("db2").memory == 768)

    #expect(try await cluster.vms.consoleLog("vm0002", lines: 2).split(separator: "\n").count == 2)
    let zero = await #expect(throws: VMError.self) { _ = try await cluster.vms.consoleLog("vm0002", lines: 0) }
    #expect(zero != nil)

    let (uuid, _) = try await cluster.vms.define(VMDefinition(xml: Self.xml("gone"), node: "hv2"))
    try await cluster.vms.undefine("gone")
    #expect(try await zk.exists(try Layout.domain(uuid).basePath) == nil)
    let unknown = await #expect(throws: VMError.self) { try await cluster.vms.undefine("gone") }
    #expect(unknown == .notFound("gone"))
  }

  @Test("node list and info")
  func nodes() async throws {
    let (cluster, zk) = try await Self.cluster(vms: 3)
    defer { Task { await cluster.close() } }
    try await zk.set(try Layout.node("hv3").path(.domainState), "flushed")
    let all = try await cluster.nodes.list()
    #expect(all.map(\.name) == ["hv1", "hv2", "hv3"])
    #expect(all[0].coordinatorState == .primary)
    #expect(all[0].cpuCount == 32)
    #expect(all[0].runningDomains == [UpstreamSeeder.name(1)], "upstream shows running VMs by name")
    #expect(try await cluster.nodes.list(NodeFilter(domainState: .flushed)).map(\.name) == ["hv3"])
    #expect(try await cluster.nodes.list(NodeFilter(limit: "2")).map(\.name) == ["hv2"])
    #expect(try await cluster.nodes.info("hv2").memory.total == 257_664)
    let missing = await #expect(throws: NodeError.self) { try await cluster.nodes.info("hv9") }
    #expect(missing == .notFound("hv9"))
    let hostile = await #expect(throws: NodeError.self) { try await cluster.nodes.info("../config") }
    #expect(hostile == .notFound("../config"))
  }

  @Test("vCPU, memory, network and disk edits change the stored definition, and bad values are refused")
  func deviceEdits() async throws {
    let (cluster, _) = try await Self.cluster(vms: 1)
    defer { Task { await cluster.close() } }
    let vms = cluster.vms
    try await vms.setVCPUs("vm0001", 4, topology: (1, 2, 2))
    var info = try await vms.info("vm0001")
    #expect(info.vcpu == 4)
    #expect(info.vcpuTopology == "1/2/2")
    let badTopology = await #expect(throws: VMError.self) { try await vms.setVCPUs("vm0001", 4, topology: (1, 3, 1)) }
    #expect(badTopology?.description.contains("does not give 4 vCPUs") == true)
    try await vms.setMemory("vm0001", mebibytes: 3072)
    #expect(try await vms.info("vm0001").memory == 3072)
    let tooSmall = await #expect(throws: VMError.self) { try await vms.setMemory("vm0001", mebibytes: 1) }
    #expect(tooSmall != nil)

    try await vms.addNetwork("vm0001", VMNetworkRequest(network: "300", mac: "52:54:00:12:34:56"))
    info = try await vms.info("vm0001")
    #expect(info.networks.map(\.vni) == ["100", "300"])
    #expect(info.networks.last?.mac == "52:54:00:12:34:56")
    for bad in [
      VMNetworkRequest(network: "300", mac: "52:54:00:12:34:56"), VMNetworkRequest(network: "x\"/><evil"),
      VMNetworkRequest(network: "300", mac: "01:00:5e:00:00:01"), VMNetworkRequest(network: "300", model: "bogus"),
    ] {
      let error = await #expect(throws: VMError.self) { try await vms.addNetwork("vm0001", bad) }
      #expect(error != nil, "accepted \(bad)")
    }
    try await vms.removeNetwork("vm0001", network: "100")
    #expect(try await vms.info("vm0001").networks.map(\.vni) == ["300"])
    let absent = await #expect(throws: VMError.self) { try await vms.removeNetwork("vm0001", network: "100") }
    #expect(absent != nil)

    try await vms.addVolume("vm0001", VMVolumeRequest(volume: "vms/data_sdb"))
    info = try await vms.info("vm0001")
    #expect(info.disks.map(\.dev) == ["sda", "sdb"])
    #expect(info.disks.map(\.name).last == "vms/data_sdb")
    for bad in [
      VMVolumeRequest(volume: "../etc/passwd", type: "file"), VMVolumeRequest(volume: "nopool"),
      VMVolumeRequest(volume: "vms/data_sdb"), VMVolumeRequest(volume: "vms/x", diskID: "sda"),
      VMVolumeRequest(volume: "vms/y", bus: "floppy"),
    ] {
      let error = await #expect(throws: VMError.self) { try await vms.addVolume("vm0001", bad) }
      #expect(error != nil, "accepted \(bad)")
    }
    try await vms.removeVolume("vm0001", volume: "vms/data_sdb")
    #expect(try await vms.info("vm0001").disks.count == 1)

    // A host file is host access: refused by the default policy, taken where pvc.conf allows it.
    let hostFile = VMVolumeRequest(volume: "/var/lib/pvc/disk2.img", type: "file", bus: "virtio")
    let refused = await #expect(throws: VMError.self) { try await vms.addVolume("vm0001", hostFile) }
    #expect(refused?.description.contains("a disk on the host") == true)
    let permissive = try await PVCCluster.connect(cluster.connection, policy: .permissive)
    try await permissive.vms.addVolume("vm0001", hostFile)
    await permissive.close()
    #expect(try await vms.dump("vm0001").contains("/var/lib/pvc/disk2.img"))
  }
}
