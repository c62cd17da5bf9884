import Foundation
import PVCKit
import PVCKitFixtures
import Testing

/// Domain definitions that reach the host are refused unless pvc.conf allows
/// them: where they enter the cluster, and by the node daemon before a start.
@Suite("VM definitions that reach the host")
struct HostAccessTests {
  static let uuid = "0f5d2c6e-8a7b-4c1d-9e2f-3a4b5c6d7e8f"

  /// A definition with `devices` (and `os` and `extra` elements) added.
  static func definition(devices: String = "", os: String = "", extra: String = "") -> String {
    """
    <domain type='kvm' xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'><name>h</name><uuid>\(uuid)</uuid>\
    <memory unit='MiB'>64</memory><vcpu>1</vcpu><os><type>hvm</type>\(os)</os><devices>\(devices)</devices>\(extra)\
    </domain>
    """
  }

  @Test(
    "what reaches the host is found, wherever it is",
    arguments: [
      (definition(extra: "<qemu:commandline><qemu:arg value='-s'/></qemu:commandline>"), "QEMU command-line"),
      (definition(devices: "<emulator>/tmp/evil</emulator>"), "emulator other than the system's"),
      (
        definition(devices: "<disk type='file'><source file='/etc/shadow'/><target dev='vda'/></disk>"),
        "disk on the host"
      ),
      (
        definition(devices: "<disk type='block'><source dev='/dev/sda'/><target dev='vda'/></disk>"), "disk on the host"
      ),
      (definition(devices: "<filesystem><source dir='/'/><target dir='r'/></filesystem>"), "host directory"),
      (definition(devices: "<hostdev mode='subsystem' type='pci'/>"), "host device"),
      (definition(devices: "<serial type='file'><source path='/etc/x'/></serial>"), "<serial> on the host"),
      (
        definition(devices: "<channel type='unix'><source mode='bind' path='/root/s'/></channel>"), "socket on the host"
      ),
      (definition(devices: "<serial type='pty'><log file='/etc/cron.d/x'/></serial>"), "guest log outside"),
      (definition(devices: "<interface type='ethernet'><script path='/tmp/x'/></interface>"), "host script"),
      (definition(devices: "<rng model='virtio'><backend model='random'>/etc/shadow</backend></rng>"), "random source"),
      (definition(os: "<kernel>/boot/vmlinuz</kernel>"), "boot file from the host"),
      (definition(os: "<loader>/tmp/fw.bin</loader>"), "firmware from outside"),
      (
        definition(devices: "<serial type='tcp'><source mode='bind' host='0.0.0.0' service='22'/></serial>"),
        "(type 'tcp')"
      ),
      // A second <devices> (which the summary ignores) is looked at too.
      (definition(extra: "<devices><hostdev mode='subsystem' type='usb'/></devices>"), "host device"),
    ])
  func findings(xml: String, finding: String) throws {
    let summary = try DomainXML(xml).summary
    #expect(summary.hostAccess.contains { $0.contains(finding) }, "\(summary.hostAccess)")
    let refused = #expect(throws: VMError.self) { try DomainPolicy.strict.check(summary) }
    #expect(refused?.description.contains("vm_policy.allow_host_access") == true)
    #expect(throws: Never.self) { try DomainPolicy.permissive.check(summary) }
  }

  @Test("ordinary definitions reach nothing: upstream's provisioner layout, the test guests, UEFI firmware")
  func ordinary() throws {
    for xml in [
      UpstreamSeeder.xml(1), TestGuests.xml(name: "g"),
      Self.definition(
        devices:
          "<emulator>/usr/bin/qemu-system-x86_64</emulator><channel type='unix'><target type='virtio'/></channel>",
        os: "<loader readonly='yes' type='pflash'>/usr/share/OVMF/OVMF_CODE.fd</loader>"
          + "<nvram>/var/lib/libvirt/qemu/nvram/h_VARS.fd</nvram>"),
    ] {
      #expect(try DomainXML(xml).summary.hostAccess == [])
    }
  }

  @Test("define and restore refuse host access by default; the node daemon does not start such a VM either")
  func enforced() async throws {
    try await NodeCluster.with(nodes: 1) { nodes in
      let vms = nodes.cluster.vms
      let uuid = UUID().uuidString.lowercased()
      let name = "host-\(uuid.prefix(6))"
      let reaching = TestGuests.xml(name: name, uuid: uuid).replacingOccurrences(
        of: "<devices>", with: "<devices><filesystem type='mount'><source dir='/'/><target dir='root'/></filesystem>")
      let refused = await #expect(throws: VMError.self) {
        _ = try await vms.define(VMDefinition(xml: reaching, node: "hv1"))
      }
      #expect(refused?.description.contains("host directory") == true)

      // Written behind PVCKit's back, it is refused at start with the reason.
      _ = try await vms.define(VMDefinition(xml: TestGuests.xml(name: name, uuid: uuid), node: "hv1"))
      let zk = try #require(nodes.cluster.zookeeper)
      try await zk.set(try Layout.domain(uuid).path(.xml), reaching)
      try await vms.start(name)
      #expect(try await eventually(timeout: .seconds(20)) { try await vms.info(name).state == .fail })
      #expect(try await vms.info(name).failedReason.contains("host directory"))
      #expect(SimulatedNodes.hosts(of: uuid).isEmpty)

      // A backup carrying it is refused as a whole.
      let backup = try await nodes.cluster.backup()
      let restore = await #expect(throws: ClusterError.self) { try await nodes.cluster.restore(backup) }
      #expect(restore?.description.contains("host directory") == true)
    }
  }
}
