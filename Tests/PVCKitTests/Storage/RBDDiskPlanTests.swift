import Foundation
import Testing

@testable import PVCKit

/// The node's completion of RBD disks and its lock rule (pure).
@Suite("RBD disk plan")
struct RBDDiskPlanTests {
  static let client = RBDClientSettings(
    monitors: ["10.0.0.1:3300", "10.0.0.2:3300"], secretUUID: "c3b5b0a2-7d1e-4a51-9f2c-5a1d0c9e7b31", user: "libvirt")

  static func xml(_ disk: String) -> String {
    """
    <domain type='kvm'><name>d</name><uuid>5f0c4a2e-1b7d-4c8e-9a3f-2d6b8e1c0a47</uuid><memory unit='MiB'>64</memory>
    <vcpu>1</vcpu><os><type arch='x86_64'>hvm</type></os><devices>\(disk)</devices></domain>
    """
  }

  @Test("a bare RBD disk gets the monitors and the secret; one that has its own keeps them; others are untouched")
  func completion() throws {
    let bare = Self.xml(
      "<disk type='network' device='disk'><source protocol='rbd' name='vms/a'/><target dev='vda' bus='virtio'/></disk>")
    let completed = try RBDDiskPlan.completing(bare, with: Self.client)
    let summary = try DomainXML(completed).summary
    #expect(summary.disks.map(\.name) == ["vms/a"])
    #expect(completed.contains("10.0.0.1") && completed.contains("10.0.0.2") && completed.contains("3300"))
    #expect(completed.contains("username=\"libvirt\"") && completed.contains(Self.client.secretUUID!))

    let own = Self.xml(
      """
      <disk type='network' device='disk'><auth username='admin'><secret type='ceph' uuid='11111111-2222-3333-4444-555555555555'/></auth>\
      <source protocol='rbd' name='vms/b'><host name='10.9.9.9' port='6789'/></source><target dev='vda' bus='virtio'/></disk>
      """)
    #expect(try RBDDiskPlan.completing(own, with: Self.client) == own)
    let file = Self.xml(
      "<disk type='file' device='disk'><source file='/x.img'/><target dev='vda' bus='virtio'/></disk>")
    #expect(try RBDDiskPlan.completing(file, with: Self.client) == file)
    #expect(RBDDiskPlan.volumes(file).isEmpty)
  }

  @Test("keyrings: the user of the first client section, and its key")
  func keyring() {
    let text = "[client.libvirt]\n\tkey = AQBabc==\n\tcaps mon = \"profile rbd\"\n[client.admin]\n\tkey = AQBxyz==\n"
    #expect(RBDClientSettings.user(inKeyring: text) == "libvirt")
    #expect(RBDClientSettings.key(of: "admin", inKeyring: text) == "AQBxyz==")
    #expect(RBDClientSettings.key(of: "nobody", inKeyring: text) == nil)
  }

  @Test("only a fenced node, or a dead one whose VMs were recovered, cannot write")
  func lockRule() {
    #expect(NodeStorage.cannotWrite((daemon: "fenced", domain: "flushed")))
    #expect(NodeStorage.cannotWrite((daemon: "dead", domain: "fence-flush")))
    #expect(!NodeStorage.cannotWrite((daemon: "dead", domain: "ready")))
    #expect(!NodeStorage.cannotWrite((daemon: "run", domain: "flushed")))
    #expect(!NodeStorage.cannotWrite((daemon: "init", domain: "ready")))
  }

  @Test("a locker's IPv4 address is read from Ceph's address forms")
  func lockerAddress() {
    #expect(RBDPool.Locker(client: "client.1", cookie: "c", address: "10.78.0.3:0/123456").ipv4 == "10.78.0.3")
    #expect(RBDPool.Locker(client: "client.1", cookie: "c", address: "v2:10.1.2.3:0/99").ipv4 == "10.1.2.3")
    #expect(RBDPool.Locker(client: "client.1", cookie: "c", address: "[::1]:0/1").ipv4 == nil)
  }
}
