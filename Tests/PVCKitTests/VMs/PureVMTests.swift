import Foundation
import PVCKit
import Testing

/// Decisions and parsing with no I/O: placement, filters, libvirt XML.
@Suite("VM decisions and XML")
struct PureVMTests {
  static func node(
    _ name: String, daemon: NodeDaemonState = .run, domain: NodeDomainState = .ready, free: Int = 1000,
    used: Int = 1000, provisioned: Int = 0, load: Double = 1, vcpus: Int = 0, vms: Int = 0
  ) -> NodeCandidate {
    NodeCandidate(
      name: name, daemonState: daemon, domainState: domain, memoryFree: free, memoryUsed: used,
      memoryProvisioned: provisioned, load: load, vcpusAllocated: vcpus, domainCount: vms)
  }

  @Test("candidates are running, ready, inside the limit and not the current node")
  func candidates() {
    let nodes = [
      Self.node("hv1"), Self.node("hv2", daemon: .dead), Self.node("hv3", domain: .flushed), Self.node("hv4"),
      Self.node("hv5"),
    ]
    #expect(Placement.candidates(nodes, limit: [], excluding: "hv1").map(\.name) == ["hv4", "hv5"])
    #expect(Placement.candidates(nodes, limit: ["hv1", "hv2", "hv5"], excluding: nil).map(\.name) == ["hv1", "hv5"])
    #expect(Placement.candidates(nodes, limit: ["hv2", "hv3"], excluding: nil).isEmpty)
  }

  @Test("each selector picks its node; ties go to the first; none uses the cluster default")
  func selectors() {
    let nodes = [
      Self.node("a", free: 500, used: 3000, provisioned: 3000, load: 0.5, vcpus: 8, vms: 4),
      Self.node("b", free: 4000, used: 1000, provisioned: 4500, load: 2.0, vcpus: 2, vms: 9),
      Self.node("c", free: 4000, used: 2000, provisioned: 1000, load: 3.0, vcpus: 4, vms: 1),
    ]
    #expect(Placement.choose(among: nodes, selector: .mem) == "b")
    #expect(Placement.choose(among: nodes, selector: .memprov) == "c")
    #expect(Placement.choose(among: nodes, selector: .load) == "a")
    #expect(Placement.choose(among: nodes, selector: .vcpus) == "b")
    #expect(Placement.choose(among: nodes, selector: .vms) == "c")
    #expect(Placement.choose(among: nodes, selector: .none, clusterDefault: .load) == "a")
    #expect(Placement.choose(among: nodes, selector: .none, clusterDefault: .none) == "b")
    // Nodes without free memory are never chosen by mem.
    #expect(Placement.choose(among: [Self.node("x", free: 0)], selector: .mem) == nil)
    #expect(Placement.choose(among: [], selector: .vms) == nil)
    #expect(
      Placement.target(nodes: nodes, limit: ["a", "c"], selector: .mem, clusterDefault: .mem, excluding: "c") == "a")
  }

  @Test("a VM definition is parsed into its hardware")
  func parsesDefinition() throws {
    let xml = """
      <domain type='kvm'>
        <name>web1</name>
        <uuid>0F5D2C6E-8A7B-4C1D-9E2F-3A4B5C6D7E8F</uuid>
        <description>Web server</description>
        <memory unit='GiB'>2</memory>
        <vcpu>4</vcpu>
        <cpu mode='host-passthrough'><topology sockets='1' cores='2' threads='2'/></cpu>
        <os><type arch='x86_64' machine='pc-q35'>hvm</type></os>
        <features><acpi/><apic/></features>
        <devices>
          <emulator>/usr/bin/kvm</emulator>
          <interface type='bridge'><mac address='52:54:00:aa:bb:cc'/><source bridge='vmbr100'/><model type='virtio'/></interface>
          <interface type='bridge'><mac address='52:54:00:aa:bb:cd'/><source bridge='brcluster'/><model type='e1000'/></interface>
          <disk type='network' device='disk'><source protocol='rbd' name='vms/web1_sda'/><target dev='sda' bus='scsi'/></disk>
          <disk type='file' device='disk'><source file='/tmp/x.img'/><target dev='vdb' bus='virtio'/></disk>
          <controller type='scsi' model='virtio-scsi'/>
          <console type='pty'/>
          <graphics type='vnc' port='5901' listen='127.0.0.1'/>
        </devices>
      </domain>
      """
    let summary = try DomainXML(xml).summary
    #expect(summary.name == "web1")
    #expect(summary.uuid == "0f5d2c6e-8a7b-4c1d-9e2f-3a4b5c6d7e8f")
    #expect(summary.memoryMiB == 2048)
    #expect(summary.vcpus == 4)
    #expect(summary.topology?.cores == 2)
    #expect(summary.features == ["acpi", "apic"])
    #expect(summary.interfaces.map(\.vni) == ["100", "cluster"])
    #expect(summary.disks.map(\.type) == ["rbd", "file"])
    #expect(summary.disks.map(\.name) == ["vms/web1_sda", "/tmp/x.img"])
    #expect(summary.graphics?.port == "5901")
    #expect(summary.consoleType == "pty")
    #expect(try DomainXML(xml.replacingOccurrences(of: "unit='GiB'>2", with: ">1048576")).summary.memoryMiB == 1024)
  }

  @Test(
    "bad definitions are refused with the reason",
    arguments: [
      ("<domain", "not well-formed"),
      ("<domain><name>a</name>", "not well-formed"),
      ("<vm><name>a</name></vm>", "root element must be <domain>"),
      (
        "<domain><uuid>0f5d2c6e-8a7b-4c1d-9e2f-3a4b5c6d7e8f</uuid><memory>1</memory><vcpu>1</vcpu></domain>",
        "no <name>"
      ),
      ("<domain><name>a</name><memory>1</memory><vcpu>1</vcpu></domain>", "no <uuid>"),
      ("<domain><name>a</name><uuid>xyz</uuid><memory>1</memory><vcpu>1</vcpu></domain>", "'xyz' is not a valid UUID"),
      ("<domain><name>a b</name><uuid>0f5d2c6e-8a7b-4c1d-9e2f-3a4b5c6d7e8f</uuid></domain>", "invalid VM name 'a b'"),
      ("<domain><name>../x</name><uuid>0f5d2c6e-8a7b-4c1d-9e2f-3a4b5c6d7e8f</uuid></domain>", "invalid VM name"),
      (
        "<domain><name>a</name><uuid>0f5d2c6e-8a7b-4c1d-9e2f-3a4b5c6d7e8f</uuid><vcpu>1</vcpu></domain>",
        "no valid <memory>"
      ),
      (
        "<domain><name>a</name><uuid>0f5d2c6e-8a7b-4c1d-9e2f-3a4b5c6d7e8f</uuid><memory>1</memory><vcpu>0</vcpu></domain>",
        "no valid <vcpu>"
      ),
      ("<!DOCTYPE d [<!ENTITY x SYSTEM 'file:///etc/passwd'>]><domain><name>&x;</name></domain>", "DOCTYPE and ENTITY"),
    ])
  func refusesBadDefinitions(xml: String, reason: String) {
    let error = #expect(throws: VMError.self) { try DomainXML(xml) }
    #expect(error?.description.contains(reason) == true, "\(error?.description ?? "no error")")
  }

  @Test("UUIDs are accepted in upstream's spellings and canonicalised")
  func uuids() {
    let canonical = "0f5d2c6e-8a7b-4c1d-9e2f-3a4b5c6d7e8f"
    for spelling in [
      canonical, canonical.uppercased(), "0f5d2c6e8a7b4c1d9e2f3a4b5c6d7e8f", "{\(canonical)}", "urn:uuid:\(canonical)",
    ] {
      #expect(VMName.canonicalUUID(spelling) == canonical, "\(spelling)")
    }
    for bad in [
      "", "0f5d2c6e-8a7b-4c1d-9e2f", "0f5d2c6e-8a7b4-c1d-9e2f-3a4b5c6d7e8f", "zf5d2c6e8a7b4c1d9e2f3a4b5c6d7e8f",
    ] {
      #expect(VMName.canonicalUUID(bad) == nil, "\(bad)")
    }
  }
}
