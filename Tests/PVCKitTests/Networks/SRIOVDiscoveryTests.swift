import Foundation
import Testing

@testable import PVCKit

/// SR-IOV discovery over a sysfs tree laid out as the kernel shows a NIC with
/// virtual functions (there is no SR-IOV hardware on these machines), recorded
/// into the real ZooKeeper and read back through the operations.
@Suite("SR-IOV discovery")
struct SRIOVDiscoveryTests {
  /// A fake `/sys/class/net` with PF `ens1f0` (2 VFs wanted, 8 possible) and a NIC without SR-IOV.
  static func tree() throws -> String {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("sriov-\(UUID().uuidString)").path
    let manager = FileManager.default
    func file(_ path: String, _ text: String) throws {
      try manager.createDirectory(
        atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
      try text.write(toFile: path, atomically: false, encoding: .utf8)
    }
    try file("\(root)/net/ens1f0/device/sriov_totalvfs", "8\n")
    try file("\(root)/net/ens1f0/device/sriov_numvfs", "0\n")
    try file("\(root)/net/ens1f0/mtu", "9000\n")
    try file("\(root)/net/eno1/mtu", "1500\n")
    try manager.createDirectory(atPath: "\(root)/net/eno1/device", withIntermediateDirectories: true)
    for index in 0..<2 {
      let pci = "\(root)/devices/0000:03:10.\(index)"
      try manager.createDirectory(atPath: "\(pci)/net/ens1f0v\(index)", withIntermediateDirectories: true)
      try manager.createSymbolicLink(atPath: "\(root)/net/ens1f0/device/virtfn\(index)", withDestinationPath: pci)
      try file("\(root)/net/ens1f0v\(index)/address", "52:54:00:aa:00:0\(index)\n")
      try file("\(root)/net/ens1f0v\(index)/mtu", "9000\n")
    }
    return root
  }

  @Test("functions are found, the VF count is set, a device without SR-IOV and a bad name are reported")
  func scan() throws {
    let root = try Self.tree()
    defer { try? FileManager.default.removeItem(atPath: root) }
    let found = SRIOVDiscovery(root: "\(root)/net").scan([
      .init(device: "ens1f0", mtu: 9000, vfCount: 2), .init(device: "eno1", mtu: 1500, vfCount: 4),
      .init(device: "../etc", mtu: 1500, vfCount: 1),
    ])
    #expect(found.pfs == [.init(phy: "ens1f0", mtu: 9000, vfCount: 2)])
    #expect(found.vfs.map(\.phy) == ["ens1f0v0", "ens1f0v1"])
    #expect(
      found.vfs[1].mac == "52:54:00:aa:00:01" && found.vfs[1].pci.function == "1" && found.vfs[1].pci.slot == "10")
    #expect(try String(contentsOfFile: "\(root)/net/ens1f0/device/sriov_numvfs", encoding: .utf8) == "2\n")
    #expect(found.problems.count == 2)
    #expect(SRIOVDiscovery.pciAddress("0000:03:10.1")?.bus == "03")
    #expect(SRIOVDiscovery.pciAddress("0000:03:10") == nil && SRIOVDiscovery.pciAddress("x:y:z.w") == nil)
  }

  @Test("what is found is recorded in upstream's layout; settings are kept; what is gone is removed")
  func record() async throws {
    let root = try Self.tree()
    defer { try? FileManager.default.removeItem(atPath: root) }
    let hosts = try await TestServices.chroot(name: "sriov-discovery")
    let cluster = try await PVCCluster.connect(.zookeeper(hosts: hosts))
    defer { Task { await cluster.close() } }
    try await cluster.initialize()
    let zookeeper = try #require(cluster.zookeeper)
    try await zookeeper.ensurePath(try Layout.node("hv1").basePath)
    let found = SRIOVDiscovery(root: "\(root)/net").scan([.init(device: "ens1f0", mtu: 9000, vfCount: 2)])
    try await SRIOVDiscovery.record(pfs: found.pfs, vfs: found.vfs, node: "hv1", zookeeper: zookeeper)
    let pfs = try await cluster.networks.sriovPhysicalFunctions(node: "hv1")
    #expect(pfs.map(\.phy) == ["ens1f0"] && pfs[0].vfs == ["ens1f0v0", "ens1f0v1"])
    try await cluster.networks.setSRIOVVirtualFunction(node: "hv1", vf: "ens1f0v1", .init(vlanID: 42))
    // Recorded again (pvcd restarted) with one VF fewer: the other keeps its VLAN.
    try await SRIOVDiscovery.record(pfs: found.pfs, vfs: [found.vfs[1]], node: "hv1", zookeeper: zookeeper)
    let vfs = try await cluster.networks.sriovVirtualFunctions(node: "hv1", pf: nil)
    #expect(vfs.map(\.phy) == ["ens1f0v1"])
    #expect(vfs.first?.config.vlanID == "42" && vfs.first?.mac == "52:54:00:aa:00:01")
  }
}
