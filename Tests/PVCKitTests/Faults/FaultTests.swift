import Foundation
import PVCKit
import PVCKitFixtures
import Testing

/// Faults under `/faults`: raising, refreshing, acknowledging, deleting, and
/// the health they leave, against a real ZooKeeper; the checks as a pure function.
@Suite("Faults")
struct FaultTests {
  static func node(_ name: String, _ state: NodeDaemonState, total: Int = 32768, allocated: Int = 0) -> NodeInfo {
    var node = try! UpstreamJSON.decoder.decode(
      NodeInfo.self,
      from: Data(
        """
        {"name":"\(name)","daemon_state":"run","coordinator_state":"client","domain_state":"ready",
         "pvc_version":"","cpu_count":4,"kernel":"","os":"","arch":"","health":100,"health_plugins":[],"load":0,
         "domains_count":0,"running_domains":[],"vcpu":{"total":4,"allocated":0},
         "memory":{"total":\(total),"allocated":\(allocated),"provisioned":0,"used":0,"free":\(total)},"keepalive":0}
        """.utf8))
    node.daemonState = state
    return node
  }

  @Test("the checks find dead and fenced nodes, failed VMs and memory the cluster cannot hold with a node lost")
  func checks() {
    let time = Date(timeIntervalSince1970: 0)
    let nodes = [
      Self.node("hv1", .run, allocated: 20000), Self.node("hv2", .dead, allocated: 20000),
      Self.node("hv3", .fenced, allocated: 30000),
    ]
    let vms = [
      FaultChecks.VMSummary(name: "web", state: .fail, failedReason: "no such disk"),
      FaultChecks.VMSummary(name: "db", state: .start),
    ]
    let reports = FaultChecks.evaluate(nodes: nodes, vms: vms, at: time)
    #expect(reports.map(\.id) == ["DEAD_NODE_hv2", "DEAD_NODE_hv3", "VM_FAILED_web", "MEMORY_OVERPROVISIONED"])
    #expect(reports.map(\.healthDelta) == [50, 50, 10, 50])
    #expect(reports[2].message == "VM web failed: no such disk")
    #expect(reports[3].message.contains("70000 MiB allocated, 65536 MiB left"))
    let healthy = FaultChecks.evaluate(
      nodes: [Self.node("hv1", .run, allocated: 1000), Self.node("hv2", .run, allocated: 1000)], vms: [], at: time)
    #expect(healthy.isEmpty)
  }

  @Test("raise, refresh, acknowledge and delete; health follows the unacknowledged faults")
  func lifecycle() async throws {
    let hosts = try await TestServices.chroot()
    let cluster = try await PVCCluster.connect(.zookeeper(hosts: hosts))
    defer { Task { await cluster.close() } }
    try await cluster.initialize()

    let first = Date(timeIntervalSince1970: 1_700_000_000)
    try await cluster.faults.report([
      FaultReport(id: "DEAD_NODE_hv2", healthDelta: 50, message: "Node hv2 is dead", time: first),
      FaultReport(id: "VM_FAILED_web", healthDelta: 10, message: "VM web failed", time: first),
    ])
    var status = try await cluster.status()
    #expect(status.clusterHealth.health == 40)
    #expect(status.clusterHealth.messages.map(\.id) == ["DEAD_NODE_hv2", "VM_FAILED_web"])

    let fault = try await cluster.faults.fault("DEAD_NODE_hv2")
    #expect(fault.firstReported == "2023-11-14 22:13:20")
    #expect(fault.status == "new" && fault.acknowledgedAt.isEmpty)

    // A refresh keeps the first time, takes the new values.
    try await cluster.faults.report([
      FaultReport(id: "DEAD_NODE_hv2", healthDelta: 50, message: "Node hv2 was fenced", time: first + 60)
    ])
    let refreshed = try await cluster.faults.fault("DEAD_NODE_hv2")
    #expect(refreshed.firstReported == "2023-11-14 22:13:20")
    #expect(refreshed.lastReported == "2023-11-14 22:14:20")
    #expect(refreshed.message == "Node hv2 was fenced")
    #expect(try await cluster.faults.list().map(\.id) == ["DEAD_NODE_hv2", "VM_FAILED_web"])
    #expect(try await cluster.faults.list(sortedBy: .message).map(\.id) == ["DEAD_NODE_hv2", "VM_FAILED_web"])

    try await cluster.faults.acknowledge(["DEAD_NODE_hv2"])
    status = try await cluster.status()
    #expect(status.clusterHealth.health == 90)
    let acknowledged = try await cluster.faults.fault("DEAD_NODE_hv2")
    #expect(acknowledged.status == "ack" && acknowledged.healthDelta == 0 && !acknowledged.acknowledgedAt.isEmpty)

    // A refresh does not undo an acknowledgement.
    try await cluster.faults.report([
      FaultReport(id: "DEAD_NODE_hv2", healthDelta: 50, message: "Node hv2 was fenced", time: first + 120)
    ])
    #expect(try await cluster.faults.fault("DEAD_NODE_hv2").isAcknowledged)

    // Missing or malformed IDs change nothing.
    await #expect(throws: FaultError.notFound("NOPE")) {
      try await cluster.faults.acknowledge(["VM_FAILED_web", "NOPE"])
    }
    await #expect(throws: FaultError.notFound("../nodes")) { try await cluster.faults.delete(["../nodes"]) }
    #expect(try await cluster.faults.fault("VM_FAILED_web").status == "new")

    try await cluster.faults.delete(["VM_FAILED_web"])
    #expect(try await cluster.faults.list().map(\.id) == ["DEAD_NODE_hv2"])
    try await cluster.faults.acknowledgeAll()
    try await cluster.faults.deleteAll()
    #expect(try await cluster.faults.list().isEmpty)
    #expect(try await cluster.status().clusterHealth.health == 100)
  }

  @Test("faults written in upstream's layout are read as they are")
  func upstreamLayout() async throws {
    let hosts = try await TestServices.chroot()
    let zk = try await ZooKeeper.connect(to: hosts)
    defer { Task { await zk.close() } }
    try await zk.ensurePath("/faults")
    let base = "/faults/5d1a8e9c"
    try await zk.multi([
      .create(base, ""), .create(base + "/first_time", "2024-01-02 03:04:05"),
      .create(base + "/last_time", "2024-01-02 03:09:05"), .create(base + "/ack_time", ""),
      .create(base + "/status", "new"), .create(base + "/delta", "25"),
      .create(base + "/message", "Node hv1 plugin disk is degraded"),
    ])
    let cluster = try await PVCCluster.connect(.zookeeper(hosts: hosts))
    defer { Task { await cluster.close() } }
    let fault = try await cluster.faults.fault("5d1a8e9c")
    #expect(fault.healthDelta == 25 && fault.lastReported == "2024-01-02 03:09:05")
    try await cluster.faults.acknowledge(["5d1a8e9c"])
    #expect(try await zk.string(base + "/status") == "ack")
  }
}
