import Foundation
import PVCKitFixtures
import Testing

@testable import PVCKit
@testable import PVCKitAPI

/// Device hot-plug on the simulated cluster with the real Ceph and libvirt: an RBD disk attached to a running VM
/// appears in the guest's live definition and in the cluster's, and goes from both when detached. Phase 3b of
/// `make test`.
@Suite("VM device hot-plug", .serialized)
struct VMDeviceTests {
  /// The live definition of the running guest, asked of libvirt inside its node.
  static func liveXML(_ uuid: String, on node: String) throws -> String {
    try SimulatedNodes.inside(node, ["virsh", "-c", SimulatedNodes.libvirtURI(node), "dumpxml", uuid]).output
  }

  static func disk(_ volume: String, target: String) -> String {
    """
    <disk type='network' device='disk'><driver name='qemu' type='raw'/>\
    <source protocol='rbd' name='\(volume)'/><target dev='\(target)' bus='scsi'/></disk>
    """
  }

  @Test("an RBD disk hot-plugged into a running VM is in its live and stored definitions, and leaves both")
  func hotplugDisk() async throws {
    let configuration = SimulatedNodeConfiguration.text(
      nodeNet: NodeCluster.nodeNet, ceph: TestServices.cephConfiguration)
    try await NodeCluster.with(configuration: configuration) { nodes in
      let cluster = try await PVCCluster.connect(
        .zookeeper(hosts: nodes.hosts), ceph: CephAccess(configurationFile: TestServices.cephConfiguration))
      let tag = UUID().uuidString.prefix(6).lowercased()
      let poolName = "hotplug-\(tag)"
      #expect(try await eventually(timeout: .seconds(20)) { try await cluster.nodes.primary() != nil })
      try await cluster.storage.addPool(poolName, pgs: 8, replication: "copies=2,mincopies=1", tier: "default")
      do {
        let name = "plugvm-\(tag)"
        for volume in ["sda", "extra", "third"] {
          try await cluster.storage.addVolume("\(name)_\(volume)", pool: poolName, size: "16M", force: true)
        }
        let uuid = UUID().uuidString.lowercased()
        let xml = TestGuests.xml(name: name, uuid: uuid).replacingOccurrences(
          of: "<devices>",
          with: "<devices><controller type='scsi' index='0' model='virtio-scsi'/>"
            + Self.disk("\(poolName)/\(name)_sda", target: "sda"))
        _ = try await cluster.vms.define(VMDefinition(xml: xml, node: "hv2", initialState: .start))
        #expect(try await eventually(timeout: .seconds(60)) { SimulatedNodes.hosts(of: uuid) == ["hv2"] })

        // Attached: plugged in (completed with the monitors) and stored.
        let extra = Self.disk("\(poolName)/\(name)_extra", target: "sdb")
        let attach = try await cluster.vms.attachDevice(name, xml: extra)
        #expect(attach.name == "vm.device_attach" && attach.runOn == "hv2")
        let attached = try await cluster.tasks.wait(for: attach.id, timeout: .seconds(60))
        #expect(attached.state == .success && attached.status.contains("Hot-attached"), "\(attached.status)")
        #expect(try Self.liveXML(uuid, on: "hv2").contains("\(name)_extra"))
        #expect(try await cluster.vms.info(name).disks.map(\.dev) == ["sda", "sdb"])
        // The same target twice, a hostile document and a device the policy refuses are refused before queueing.
        await #expect(throws: VMError.self) { try await cluster.vms.attachDevice(name, xml: extra) }
        await #expect(throws: VMError.self) {
          try await cluster.vms.attachDevice(name, xml: "<!DOCTYPE d [<!ENTITY x 'y'>]><disk>&x;</disk>")
        }
        await #expect(throws: VMError.self) { try await cluster.vms.attachDevice(name, xml: "<domain/>") }
        await #expect(throws: VMError.self) {
          try await cluster.vms.attachDevice(
            name, xml: "<disk type='file' device='disk'><source file='/etc/shadow'/><target dev='sdz'/></disk>")
        }

        // Through the volume command's path (a diff of the edit, as hot-plug tasks) and over HTTP.
        let server = APIServer(cluster: cluster, settings: .init(port: 22_820, tokens: [APITestHarness.token]))
        let serving = try await server.start()
        let remote = try await PVCCluster.connect(
          .api(url: URL(string: "http://127.0.0.1:22820")!, key: APITestHarness.token))
        let tasks = try await remote.vms.addVolume(
          name, VMVolumeRequest(volume: "\(poolName)/\(name)_third"), live: true)
        #expect(tasks.count == 1 && tasks.first?.name == "vm.device_attach")
        for task in tasks {
          let done = try await remote.tasks.wait(for: task.id, timeout: .seconds(60))
          #expect(done.state == .success, "\(done.status)")
        }
        #expect(try Self.liveXML(uuid, on: "hv2").contains("\(name)_third"))
        let removal = try await remote.vms.removeVolume(name, volume: "\(poolName)/\(name)_third", live: true)
        #expect(removal.map(\.name) == ["vm.device_detach"])
        for task in removal { _ = try await remote.tasks.wait(for: task.id, timeout: .seconds(60)) }
        await remote.close()
        await serving.stop()

        // Detached: gone from the guest (a SCSI disk leaves at once) and from the definition.
        let detached = try await cluster.tasks.wait(
          for: try await cluster.vms.detachDevice(name, xml: "<disk><target dev='sdb'/></disk>").id,
          timeout: .seconds(60))
        #expect(detached.state == .success, "\(detached.status)")
        #expect(try await eventually { try !Self.liveXML(uuid, on: "hv2").contains("\(name)_extra") })
        #expect(try await eventually { try !Self.liveXML(uuid, on: "hv2").contains("\(name)_third") })
        #expect(try await cluster.vms.info(name).disks.map(\.dev) == ["sda"])
        await #expect(throws: VMError.self) {
          try await cluster.vms.detachDevice(name, xml: "<disk><target dev='sdb'/></disk>")
        }

        // A stopped VM: the definition alone changes.
        try await cluster.vms.setState(name, .stop, force: true, wait: true)
        let offline = try await cluster.tasks.wait(
          for: try await cluster.vms.attachDevice(name, xml: extra).id, timeout: .seconds(60))
        #expect(offline.state == .success && offline.status.contains("applies at start"), "\(offline.status)")
        #expect(try await cluster.vms.info(name).disks.map(\.dev) == ["sda", "sdb"])

        // Its locks freed as a task on its node.
        let flushed = try await cluster.tasks.wait(
          for: try await cluster.vms.flushLocks(name).id, timeout: .seconds(60))
        #expect(flushed.state == .success, "\(flushed.status)")
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
