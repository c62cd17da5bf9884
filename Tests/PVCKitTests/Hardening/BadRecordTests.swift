import Foundation
import Logging
import PVCKitFixtures
import Testing

@testable import PVCKit

/// One bad record never switches off a loop that serves the whole cluster:
/// every cluster-wide reader skips (or shows as unknown) what it cannot use,
/// raises a fault naming the record's path, and serves the rest. Against a real
/// ZooKeeper holding an upstream-layout cluster with garbage written into it.
@Suite("Bad records")
struct BadRecordTests {
  /// The garbage written, and the paths whose faults must appear.
  static let garbage: [(path: String, value: String)] = [
    ("/nodes/.bad", ""),
    ("/nodes/.bad/daemonstate", "run"),
    ("/domains/not-a-uuid", "x"),
    ("/faults/..", ""),
  ]

  /// An upstream-layout cluster of 3 VMs with garbage in nodes, VMs and faults.
  static func damagedCluster(name: String = #function) async throws -> (PVCCluster, ZooKeeper) {
    let hosts = try await TestServices.chroot(name: name)
    let cluster = try await PVCCluster.connect(.zookeeper(hosts: hosts))
    let zk = cluster.zookeeper!
    try await UpstreamSeeder(zookeeper: zk, vms: 3).seed()
    let vm1 = try Layout.domain(UpstreamSeeder.uuid(1))
    let vm2 = try Layout.domain(UpstreamSeeder.uuid(2))
    let hv2 = try Layout.node("hv2")
    let hv3 = try Layout.node("hv3")
    for (path, value) in garbage where !path.hasSuffix("/..") { try await zk.create(path, value) }
    try await zk.multi([
      .set(
        vm1.path(.xml),
        try #require(try await zk.string(vm1.path(.xml))).replacingOccurrences(
          of: #"<memory unit="MiB">"#, with: #"<memory unit="TiB">1e300"#)),
      .set(vm2.path(.xml), "<domain><name>vm0002</name></domain"),
      .set(vm2.path(.stats), "{not json"),
      .set(vm2.path(.migrationMaxDowntime), "-99999999999999999999"),
      .set(hv2.path(.memoryTotal), "9223372036854775807"),
      .set(hv2.path(.cpuLoad), "inf"),
      .set(hv2.path(.monitoringHealth), "abc"),
      .set(hv3.path(.networkStats), "[not json"),
      .set(hv3.path(.staticData), "99999999999999999999999 linux x86_64"),
      // Fencing asks IPMI only on loopback (nothing listens there).
      .set(hv2.path(.ipmiHostname), "127.0.0.1:9"), .set(hv3.path(.ipmiHostname), "127.0.0.1:9"),
    ])
    return (cluster, zk)
  }

  /// The paths named by `INVALID_RECORD_` faults.
  static func reportedPaths(_ cluster: PVCCluster) async throws -> Set<String> {
    let faults = try await cluster.faults.list().filter { $0.id.hasPrefix("INVALID_RECORD") }
    return Set(
      faults.compactMap { fault in
        fault.message.split(separator: " ").dropFirst(2).first.map(String.init)
      })
  }

  @Test("node list, VM list, the VM view, cluster status and faults skip or flag bad records and serve the rest")
  func listings() async throws {
    let (cluster, zk) = try await Self.damagedCluster()
    defer { Task { await cluster.close() } }

    let nodes = try await cluster.nodes.list()
    #expect(nodes.map(\.name) == ["hv1", "hv2", "hv3"])
    let hv2 = try #require(nodes.first { $0.name == "hv2" })
    #expect(hv2.memory.total == 0 && hv2.load == 0 && hv2.health == nil, "bad values show as unknown")
    #expect(nodes[2].cpuCount == 0)

    let vms = try await cluster.vms.list()
    #expect(vms.count == 3, "a VM whose definition does not parse is still listed")
    #expect(vms.first { $0.name == UpstreamSeeder.name(1) }?.memory == 0)
    #expect(vms.first { $0.name == UpstreamSeeder.name(3) }?.memory ?? 0 > 0)
    let view = try await VMView.start(zookeeper: zk)
    #expect(try view.list(VMFilter()).count == 3)
    await view.stop()

    let status = try await cluster.status()
    #expect(status.nodes["total"] == 3 && status.vms["total"] == 3)
    #expect(status.resources.memory.total >= 0)

    let reported = try await Self.reportedPaths(cluster)
    let vm1 = try Layout.domain(UpstreamSeeder.uuid(1))
    let vm2 = try Layout.domain(UpstreamSeeder.uuid(2))
    for path in [
      "/nodes/.bad", "/domains/not-a-uuid", vm1.path(.xml), vm2.path(.xml), vm2.path(.stats),
      vm2.path(.migrationMaxDowntime), "/nodes/hv2/memtotal", "/nodes/hv2/cpuload", "/nodes/hv2/monitoring_health",
      "/nodes/hv3/network_stats",
    ] {
      #expect(reported.contains(path), "no fault names \(path): \(reported.sorted())")
    }
    #expect(status.clusterHealth.health < 100)
  }

  @Test("the fault checks and the fence monitor work through a child of /nodes that is not a node")
  func clusterDuties() async throws {
    let (cluster, zk) = try await Self.damagedCluster()
    defer { Task { await cluster.close() } }
    try await zk.set(try Layout.domain(UpstreamSeeder.uuid(3)).path(.state), "fail")
    try await FaultMonitor(zookeeper: zk, interval: .seconds(1), logger: Logger(label: "test")).check()
    let ids = Set(try await cluster.faults.list().map(\.id))
    #expect(ids.contains("VM_FAILED_\(UpstreamSeeder.name(3))"))

    // hv2's keepalive never changes and it has no session: the fencer declares it dead.
    let identity = NodeIdentity(
      name: "hv1", isCoordinator: true, libvirtURI: "test:///default", consoleLogDirectory: "/tmp", peerURI: { $0 })
    let fencer = FenceMonitor(
      zookeeper: zk, identity: identity,
      policy: FencePolicy(interval: .milliseconds(100), fenceIntervals: 3, savingThrows: 100),
      logger: Logger(label: "test"))
    let running = Task { await fencer.run() }
    defer { running.cancel() }
    #expect(
      try await eventually(timeout: .seconds(20)) {
        try await zk.string(try Layout.node("hv2").path(.daemonState)) == "dead"
      })
    #expect(try await Self.reportedPaths(cluster).contains("/nodes/.bad"))
  }

  @Test("task listings skip records that are not tasks")
  func tasks() async throws {
    let (cluster, zk) = try await Self.damagedCluster()
    defer { Task { await cluster.close() } }
    try await zk.ensurePath(Layout.tasksRoot)
    try await zk.create(Layout.tasksRoot + "/junk", "{\"id\": 5}")
    let task = try await cluster.tasks.submit("vm.flush-locks", runOn: "hv1", arguments: ["vm": "x"])
    #expect(try await cluster.tasks.list().map(\.id) == [task.id])
    #expect(try await Self.reportedPaths(cluster).contains(Layout.tasksRoot + "/junk"))
  }
}
