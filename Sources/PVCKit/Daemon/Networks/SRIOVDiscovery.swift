import Foundation

/// This node's SR-IOV functions, read from the kernel at pvcd's start
/// (`guest_networking.sriov_enable` with `sriov_device` entries) and recorded
/// under `/nodes/<node>/sriov/{pf,vf}` in upstream's layout: each configured
/// physical function gets its `vfcount` virtual functions (`sriov_numvfs`), and
/// each virtual function is recorded with its MAC address, MTU and PCI address.
/// A VF's settings chosen by an administrator (VLAN, rates, trust...) and its
/// use by a VM are kept when it is recorded again; functions gone from the
/// kernel are removed from the record.
struct SRIOVDiscovery: Sendable {
  /// A physical function as found.
  struct PhysicalFunction: Sendable, Hashable {
    var phy: String
    var mtu: Int
    var vfCount: Int
  }

  /// A virtual function as found.
  struct VirtualFunction: Sendable, Hashable {
    var phy: String
    var pf: String
    var mtu: Int
    var mac: String
    /// PCI address parts: domain, bus, slot, function (`0000`, `03`, `10`, `1`).
    var pci: (domain: String, bus: String, slot: String, function: String)

    static func == (a: Self, b: Self) -> Bool {
      a.phy == b.phy && a.pf == b.pf && a.mtu == b.mtu && a.mac == b.mac && a.pci == b.pci
    }
    func hash(into hasher: inout Hasher) { hasher.combine(phy) }
  }

  /// Where the kernel shows network devices (a test gives its own tree).
  var root = "/sys/class/net"

  /// A device name that can be a path component under `root`.
  static func isDeviceName(_ name: String) -> Bool {
    (1...15).contains(name.utf8.count) && name != "." && name != ".."
      && name.unicodeScalars.allSatisfy {
        $0.isASCII && ($0.properties.isAlphabetic || "0123456789-_.".unicodeScalars.contains($0))
      }
  }

  /// Reads (and sets the VF count of) the configured devices; problems are returned to be logged.
  func scan(_ devices: [PVCConfiguration.SRIOVDevice]) -> (
    pfs: [PhysicalFunction], vfs: [VirtualFunction], problems: [String]
  ) {
    var pfs: [PhysicalFunction] = []
    var vfs: [VirtualFunction] = []
    var problems: [String] = []
    for device in devices {
      guard Self.isDeviceName(device.device) else {
        problems.append("SR-IOV device '\(device.device)' is not a device name")
        continue
      }
      let base = "\(root)/\(device.device)/device"
      guard let total = read("\(base)/sriov_totalvfs").flatMap({ Int($0) }) else {
        problems.append("device \(device.device) has no SR-IOV functions (no sriov_totalvfs): left out")
        continue
      }
      let wanted = min(max(0, device.vfCount), total)
      if read("\(base)/sriov_numvfs").flatMap({ Int($0) }) != wanted {
        // The kernel changes a count only from 0.
        _ = write("0", to: "\(base)/sriov_numvfs")
        if !write(String(wanted), to: "\(base)/sriov_numvfs") {
          problems.append("device \(device.device): cannot set sriov_numvfs to \(wanted)")
        }
      }
      let count = read("\(base)/sriov_numvfs").flatMap { Int($0) } ?? 0
      pfs.append(
        PhysicalFunction(
          phy: device.device, mtu: read("\(root)/\(device.device)/mtu").flatMap { Int($0) } ?? device.mtu,
          vfCount: count))
      for index in 0..<count {
        let function = "\(base)/virtfn\(index)"
        guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: function),
          let pci = Self.pciAddress((target as NSString).lastPathComponent),
          let name = (try? FileManager.default.contentsOfDirectory(atPath: "\(function)/net"))?.sorted().first,
          Self.isDeviceName(name)
        else {
          problems.append("device \(device.device): virtual function \(index) has no network device yet")
          continue
        }
        vfs.append(
          VirtualFunction(
            phy: name, pf: device.device, mtu: read("\(root)/\(name)/mtu").flatMap { Int($0) } ?? device.mtu,
            mac: read("\(root)/\(name)/address").flatMap(NetworkRules.mac) ?? "", pci: pci))
      }
    }
    return (pfs, vfs, problems)
  }

  /// `0000:03:10.1` as its parts, or `nil`.
  static func pciAddress(_ text: String) -> (domain: String, bus: String, slot: String, function: String)? {
    let parts = text.split(separator: ":", omittingEmptySubsequences: false)
    guard parts.count == 3, parts.allSatisfy({ $0.allSatisfy { $0.isHexDigit || $0 == "." } }) else { return nil }
    let slotFunction = parts[2].split(separator: ".", omittingEmptySubsequences: false)
    guard slotFunction.count == 2, parts[0].count == 4, parts[1].count == 2, slotFunction[0].count == 2,
      slotFunction[1].count == 1
    else { return nil }
    return (String(parts[0]), String(parts[1]), String(slotFunction[0]), String(slotFunction[1]))
  }

  /// Records what was found for `node`, keeping each VF's settings and use, removing what is gone.
  static func record(
    pfs: [PhysicalFunction], vfs: [VirtualFunction], node: String, zookeeper: ZooKeeper
  ) async throws {
    let nodeRef = try Layout.node(node)
    for path in [nodeRef.path(.sriov), nodeRef.path(.sriovPF), nodeRef.path(.sriovVF)] {
      try await zookeeper.ensurePath(path)
    }
    for pf in pfs {
      let ref = try Layout.sriovPF(pf.phy, node: node)
      try await write(
        ref, [(.mtu, String(pf.mtu)), (.vfCount, String(pf.vfCount))], zookeeper: zookeeper)
    }
    for vf in vfs {
      let ref = try Layout.sriovVF(vf.phy, node: node)
      let fresh = try await zookeeper.exists(ref.path(.root)) == nil
      var values: [(SRIOVVirtualKey, String)] = [
        (.pf, vf.pf), (.mtu, String(vf.mtu)), (.mac, vf.mac), (.phyMAC, vf.mac), (.pciDomain, vf.pci.domain),
        (.pciBus, vf.pci.bus), (.pciSlot, vf.pci.slot), (.pciFunction, vf.pci.function),
      ]
      if fresh {
        values += [
          (.config, ""), (.pci, ""), (.vlanID, "0"), (.vlanQoS, "0"), (.txRateMin, "0"), (.txRateMax, "0"),
          (.spoofCheck, "False"), (.linkState, "auto"), (.trust, "False"), (.queryRSS, "False"), (.used, "False"),
          (.usedBy, ""),
        ]
      }
      try await write(ref, values, zookeeper: zookeeper)
    }
    let found = (pf: Set(pfs.map(\.phy)), vf: Set(vfs.map(\.phy)))
    for name in try await zookeeper.children(nodeRef.path(.sriovPF)) where !found.pf.contains(name) {
      try await zookeeper.deleteRecursively(nodeRef.path(.sriovPF) + "/" + name)
    }
    for name in try await zookeeper.children(nodeRef.path(.sriovVF)) where !found.vf.contains(name) {
      try await zookeeper.deleteRecursively(nodeRef.path(.sriovVF) + "/" + name)
    }
  }

  /// Creates the object if it is missing, then sets each value (creating keys that are missing).
  private static func write<Key: SchemaKey>(
    _ ref: ObjectRef<Key>, _ values: [(Key, String)], zookeeper: ZooKeeper
  ) async throws {
    try await zookeeper.ensurePath(ref.basePath)
    // Parents first: `/config` before `/config/vlan_id`.
    for (key, value) in values.sorted(by: { $0.0.spec.path.count < $1.0.spec.path.count }) {
      let path = ref.path(key)
      if try await zookeeper.exists(path) == nil {
        _ = try await zookeeper.create(path, value)
      } else {
        try await zookeeper.set(path, value)
      }
    }
  }

  private func read(_ path: String) -> String? {
    guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
    defer { try? handle.close() }
    guard let data = try? handle.read(upToCount: 256) else { return nil }
    return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
  }

  private func write(_ text: String, to path: String) -> Bool {
    guard let handle = FileHandle(forWritingAtPath: path) else { return false }
    defer { try? handle.close() }
    return (try? handle.write(contentsOf: Data((text + "\n").utf8))) != nil
  }
}
