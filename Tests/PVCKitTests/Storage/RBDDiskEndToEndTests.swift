import Foundation
import PVCKitFixtures
import Testing

@testable import PVCKit

/// VMs with RBD disks on the simulated nodes and the real test Ceph: the node
/// completes the disk (monitors, its libvirt secret), QEMU opens the volume,
/// the VM live-migrates with it, and locks are broken only for holders that
/// cannot write.
@Suite("RBD disks on VMs", .serialized)
struct RBDDiskEndToEndTests {
  static let configuration = SimulatedNodeConfiguration.text(
    nodeNet: NodeCluster.nodeNet, ceph: TestServices.cephConfiguration)

  /// What `rbd` says (run on the host, or inside a node's namespace).
  static func rbd(_ arguments: [String], on node: String? = nil) throws -> (status: Int32, output: String) {
    let command = ["/usr/bin/rbd", "-c", TestServices.cephConfiguration] + arguments
    if let node { return try SimulatedNodes.inside(node, command) }
    return try TestServices.runTool(command[0], Array(command.dropFirst()))
  }

  /// A new volume in pool `vms` and a started VM on `node` with it as a disk.
  static func guest(_ nodes: NodeCluster, on node: String) async throws -> (name: String, uuid: String, volume: String)
  {
    let rados = try await RadosConnection.connect(configurationFile: TestServices.cephConfiguration)
    let volume = "disk-\(UUID().uuidString.prefix(8).lowercased())"
    try await RBDPool(rados, pool: "vms").create(volume, size: 64 << 20)
    let uuid = UUID().uuidString.lowercased()
    let name = "rbd-\(uuid.prefix(6))"
    let xml = try VMDeviceEdits.addingVolume(
      TestGuests.xml(name: name, uuid: uuid), VMVolumeRequest(volume: "vms/\(volume)", bus: "virtio")
    ).text
    _ = try await nodes.cluster.vms.define(VMDefinition(xml: xml, node: node, initialState: .start))
    return (name, uuid, volume)
  }

  /// Removes a VM with its disks, through a connection with Ceph access.
  static func removeWithDisks(_ nodes: NodeCluster, _ name: String) async throws {
    let cluster = try await PVCCluster.connect(
      .zookeeper(hosts: nodes.hosts), ceph: CephAccess(configurationFile: TestServices.cephConfiguration))
    defer { Task { await cluster.close() } }
    try await cluster.vms.remove(name, deleteDisks: true)
  }

  @Test("a VM with an RBD disk starts with the node's monitors and secret, opens the volume, and live-migrates with it")
  func liveMigration() async throws {
    try await NodeCluster.with(configuration: Self.configuration) { nodes in
      let vm = try await Self.guest(nodes, on: "hv1")
      let started = try await eventually(timeout: .seconds(30)) { SimulatedNodes.hosts(of: vm.uuid) == ["hv1"] }
      let reason = try await nodes.cluster.vms.info(vm.name).failedReason
      #expect(started, "\(reason)")
      let running = try await NodeCluster.libvirt("hv1").xml(of: vm.uuid)
      #expect(running.contains("protocol='rbd'") || running.contains("protocol=\"rbd\""))
      #expect(
        running.contains("\(NodeCluster.nodeNet).254") && running.contains(SimulatedNodeConfiguration.cephSecretUUID))
      // QEMU on hv1 has the volume open: Ceph sees its watch from hv1's address.
      #expect(try Self.rbd(["status", "vms/\(vm.volume)"]).output.contains("\(NodeCluster.nodeNet).1:"))

      try await nodes.cluster.vms.migrate(vm.name, to: "hv2", force: false, forceLive: true, wait: true)
      #expect(try await eventually(timeout: .seconds(30)) { SimulatedNodes.hosts(of: vm.uuid) == ["hv2"] })
      #expect(
        try await eventually(timeout: .seconds(15)) {
          try Self.rbd(["status", "vms/\(vm.volume)"]).output.contains("\(NodeCluster.nodeNet).2:")
        })
      try await nodes.cluster.vms.setState(vm.name, .stop, force: false, wait: true)
      try await Self.removeWithDisks(nodes, vm.name)
      #expect(try Self.rbd(["info", "vms/\(vm.volume)"]).status != 0, "the VM's volume was not deleted with it")
    }
  }

  @Test(
    "a lock held from a running node is never broken: the VM fails saying who holds it; once that node is fenced, it starts"
  )
  func lockRule() async throws {
    try await NodeCluster.with(configuration: Self.configuration) { nodes in
      let vm = try await Self.guest(nodes, on: "hv1")
      #expect(try await eventually(timeout: .seconds(30)) { SimulatedNodes.hosts(of: vm.uuid) == ["hv1"] })
      try await nodes.cluster.vms.setState(vm.name, .stop, force: false, wait: true)
      // A holder on hv3 (as a QEMU there would hold it).
      let added = try Self.rbd(["lock", "add", "vms/\(vm.volume)", "held-on-hv3"], on: "hv3")
      #expect(added.status == 0, "\(added.output)")
      try await nodes.cluster.vms.setState(vm.name, .start, force: false, wait: false)
      #expect(
        try await eventually(timeout: .seconds(20)) { try await nodes.cluster.vms.info(vm.name).state == .fail })
      let reason = try await nodes.cluster.vms.info(vm.name).failedReason
      #expect(reason.contains("locked") && reason.contains("node hv3"), "\(reason)")
      #expect(try Self.rbd(["lock", "ls", "vms/\(vm.volume)"]).output.contains("held-on-hv3"))

      // hv3 fenced (its daemon gone, its power confirmed off): the lock is broken and the VM starts.
      nodes.stopDaemon("hv3")
      try await nodes.cluster.zookeeper!.set(try Layout.node("hv3").path(.daemonState), "fenced")
      try await nodes.cluster.vms.setState(vm.name, .start, force: false, wait: false)
      let restarted = try await eventually(timeout: .seconds(30)) { SimulatedNodes.hosts(of: vm.uuid) == ["hv1"] }
      let why = try await nodes.cluster.vms.info(vm.name).failedReason
      #expect(restarted, "\(why)")
      #expect(!(try Self.rbd(["lock", "ls", "vms/\(vm.volume)"]).output.contains("held-on-hv3")))
      // The holder is blocklisted: it could not write even if it came back.
      let blocklist = try TestServices.runTool(
        "/usr/bin/ceph", ["-c", TestServices.cephConfiguration, "osd", "blocklist", "ls"]
      ).output
      #expect(blocklist.contains("\(NodeCluster.nodeNet).3:"), "\(blocklist)")
      try await nodes.cluster.vms.setState(vm.name, .stop, force: false, wait: true)

      // flush-locks on the stopped VM frees a lock left from hv2 (which does not run it), as a task.
      #expect(try Self.rbd(["lock", "add", "vms/\(vm.volume)", "left-on-hv2"], on: "hv2").status == 0)
      let flushed = try await nodes.cluster.perform(VMFlushLocksTask.self, .init(vm: vm.name))
      #expect(flushed.contains("Freed 1 RBD lock"), "\(flushed)")
      #expect(!(try Self.rbd(["lock", "ls", "vms/\(vm.volume)"]).output.contains("left-on-hv2")))
      try await Self.removeWithDisks(nodes, vm.name)
    }
  }
}
