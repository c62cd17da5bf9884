import Foundation
import FoundationXML

/// A network interface to add to a VM.
public struct VMNetworkRequest: Sendable, Hashable {
  /// The network: a VNI (bridge `vmbr<vni>`) or `upstream`, `cluster`, `storage` (bridge `br<name>`).
  public var network: String
  /// The MAC address; `nil` for a random `52:54:00:xx:xx:xx`.
  public var mac: String?
  /// The NIC model (`virtio`, `e1000`...).
  public var model: String

  /// Creates a request.
  public init(network: String, mac: String? = nil, model: String = "virtio") {
    self.network = network
    self.mac = mac
    self.model = model
  }
}

/// A disk to add to a VM.
public struct VMVolumeRequest: Sendable, Hashable {
  /// `pool/volume` for RBD, or an absolute file path.
  public var volume: String
  /// `rbd` or `file`.
  public var type: String
  /// The target device (`sdb`); `nil` for the next free one.
  public var diskID: String?
  /// `scsi`, `ide`, `usb` or `virtio`.
  public var bus: String

  /// Creates a request.
  public init(volume: String, type: String = "rbd", diskID: String? = nil, bus: String = "scsi") {
    self.volume = volume
    self.type = type
    self.diskID = diskID
    self.bus = bus
  }
}

/// Edits of a VM's libvirt definition: vCPUs, memory, interfaces and disks.
/// Every value is checked before it reaches the XML.
public enum VMDeviceEdits {
  /// The definition with `count` vCPUs (and a topology, whose product must equal `count`).
  public static func settingVCPUs(
    _ xml: String, count: Int, topology: (sockets: Int, cores: Int, threads: Int)? = nil
  ) throws -> DomainXML {
    let limit = DomainSummary.maximumVCPUs
    guard (1...limit).contains(count) else { throw VMError.invalidArgument("the vCPU count must be 1 to \(limit)") }
    if let topology,
      ![topology.sockets, topology.cores, topology.threads].allSatisfy({ (1...limit).contains($0) })
        || topology.sockets * topology.cores * topology.threads != count
    {
      throw VMError.invalidArgument(
        "the topology \(topology.sockets)/\(topology.cores)/\(topology.threads) does not give \(count) vCPUs")
    }
    return try DomainXML.edited(xml) { root in
      root.child("vcpu")?.stringValue = String(count)
      let wanted = topology ?? (1, count, 1)
      if let existing = root.child("cpu")?.child("topology") {
        existing.setAttribute("sockets", String(wanted.sockets))
        existing.setAttribute("cores", String(wanted.cores))
        existing.setAttribute("threads", String(wanted.threads))
      } else if topology != nil {
        let cpu =
          root.child("cpu")
          ?? {
            let element = XMLElement(name: "cpu")
            root.insertChild(element, at: min(root.childCount, 4))
            return element
          }()
        let element = XMLElement(name: "topology")
        element.setAttribute("sockets", String(wanted.sockets))
        element.setAttribute("cores", String(wanted.cores))
        element.setAttribute("threads", String(wanted.threads))
        cpu.addChild(element)
      }
    }
  }

  /// The definition with `mebibytes` of memory.
  public static func settingMemory(_ xml: String, mebibytes: Int) throws -> DomainXML {
    guard (16...DomainSummary.maximumMemoryMiB).contains(mebibytes) else {
      throw VMError.invalidArgument("the memory must be 16 MiB to 16 TiB, not \(mebibytes) MiB")
    }
    return try DomainXML.edited(xml) { root in
      for name in ["memory", "currentMemory"] {
        guard let element = root.child(name) else { continue }
        element.stringValue = String(mebibytes)
        element.setAttribute("unit", "MiB")
      }
    }
  }

  /// Checks a MAC address (`aa:bb:cc:dd:ee:ff`, unicast).
  static func checkedMAC(_ mac: String) throws -> String {
    let parts = mac.lowercased().split(separator: ":")
    guard parts.count == 6, parts.allSatisfy({ $0.count == 2 && $0.allSatisfy(\.isHexDigit) }),
      let first = UInt8(parts[0], radix: 16), first & 1 == 0
    else { throw VMError.invalidArgument("'\(mac)' is not a unicast MAC address") }
    return parts.joined(separator: ":")
  }

  /// A random MAC address in libvirt's prefix, as upstream makes them.
  static func randomMAC() -> String {
    "52:54:00:" + (0..<3).map { _ in String(format: "%02x", Int.random(in: 16...238)) }.joined(separator: ":")
  }

  /// The bridge of a network: `br<name>` for the core networks, `vmbr<vni>` for client networks.
  static func bridge(for network: String) throws -> String {
    if ["upstream", "cluster", "storage"].contains(network) { return "br" + network }
    guard let vni = Int(network), (1...16_777_215).contains(vni) else {
      throw VMError.invalidArgument(
        "'\(network)' is not a network: give a VNI (1-16777215) or upstream, cluster, storage")
    }
    return "vmbr\(vni)"
  }

  /// The definition with a bridged interface added after the last one.
  public static func addingNetwork(_ xml: String, _ request: VMNetworkRequest) throws -> DomainXML {
    let bridge = try bridge(for: request.network)
    let mac = try request.mac.map(checkedMAC) ?? randomMAC()
    let models = ["virtio", "e1000", "e1000e", "rtl8139", "vmxnet3", "ne2k_pci", "pcnet"]
    guard models.contains(request.model) else {
      throw VMError.invalidArgument("unknown NIC model '\(request.model)' (\(models.joined(separator: ", ")))")
    }
    if try DomainXML(xml).summary.interfaces.contains(where: { $0.mac == mac }) {
      throw VMError.invalidArgument("an interface with MAC \(mac) already exists")
    }
    return try DomainXML.edited(xml) { root in
      let interface = XMLElement(name: "interface")
      interface.setAttribute("type", "bridge")
      let macElement = XMLElement(name: "mac")
      macElement.setAttribute("address", mac)
      let source = XMLElement(name: "source")
      source.setAttribute("bridge", bridge)
      let model = XMLElement(name: "model")
      model.setAttribute("type", request.model)
      for child in [macElement, source, model] { interface.addChild(child) }
      try insert(interface, after: "interface", in: root)
    }
  }

  /// The definition without the interfaces on `network` (or with `mac`).
  public static func removingNetwork(_ xml: String, network: String?, mac: String?) throws -> DomainXML {
    guard network != nil || mac != nil else {
      throw VMError.invalidArgument("give a network or a MAC address to remove")
    }
    let wantedMAC = try mac.map(checkedMAC)
    var removed = 0
    let result = try DomainXML.edited(xml) { root in
      guard let devices = root.child("devices") else { return }
      for interface in devices.children(named: "interface") {
        let interfaceMAC = interface.child("mac")?.attribute("address")?.lowercased()
        let bridge = interface.child("source")?.attribute("bridge") ?? ""
        let vni = DomainSummary.Interface(type: "bridge", mac: "", source: bridge, model: "", targetDevice: "").vni
        if (wantedMAC != nil && interfaceMAC == wantedMAC) || (wantedMAC == nil && network == vni) {
          interface.detach()
          removed += 1
        }
      }
    }
    guard removed > 0 else {
      throw VMError.invalidArgument(
        mac.map { "no interface with MAC \($0) on the VM" } ?? "network \(network ?? "") is not on the VM")
    }
    return result
  }

  /// The definition with a disk added after the last one.
  public static func addingVolume(_ xml: String, _ request: VMVolumeRequest) throws -> DomainXML {
    let summary = try DomainXML(xml).summary
    guard ["scsi", "ide", "usb", "virtio", "sata"].contains(request.bus) else {
      throw VMError.invalidArgument("unknown disk bus '\(request.bus)' (scsi, ide, usb, virtio, sata)")
    }
    switch request.type {
    case "rbd":
      let parts = request.volume.split(separator: "/", omittingEmptySubsequences: false)
      guard parts.count == 2,
        parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy { $0.isLetter || $0.isNumber || "._-".contains($0) } })
      else { throw VMError.invalidArgument("'\(request.volume)' is not an RBD volume (pool/volume)") }
    case "file":
      guard request.volume.hasPrefix("/"), !request.volume.contains(".."),
        !request.volume.unicodeScalars.contains(where: { $0.properties.generalCategory == .control })
      else { throw VMError.invalidArgument("'\(request.volume)' is not an absolute file path") }
    default:
      throw VMError.invalidArgument("unknown disk type '\(request.type)' (rbd, file)")
    }
    if summary.disks.contains(where: { $0.name == request.volume }) {
      throw VMError.invalidArgument("volume \(request.volume) is already attached")
    }
    let used = Set(summary.disks.map(\.dev))
    let prefix = request.bus == "virtio" ? "vd" : (request.bus == "ide" ? "hd" : "sd")
    let dev: String
    if let given = request.diskID {
      guard given.count >= 3, given.count <= 4, given.allSatisfy({ $0.isLetter && $0.isLowercase }) else {
        throw VMError.invalidArgument("'\(given)' is not a disk ID (e.g. sdb)")
      }
      guard !used.contains(given) else { throw VMError.invalidArgument("disk ID \(given) is already in use") }
      dev = given
    } else {
      guard let free = "abcdefghijklmnopqrstuvwxyz".map({ prefix + String($0) }).first(where: { !used.contains($0) })
      else { throw VMError.invalidArgument("no free disk ID; give one") }
      dev = free
    }
    return try DomainXML.edited(xml) { root in
      let disk = XMLElement(name: "disk")
      disk.setAttribute("type", request.type == "rbd" ? "network" : "file")
      disk.setAttribute("device", "disk")
      let driver = XMLElement(name: "driver")
      driver.setAttribute("name", "qemu")
      driver.setAttribute("type", "raw")
      let source = XMLElement(name: "source")
      if request.type == "rbd" {
        source.setAttribute("protocol", "rbd")
        source.setAttribute("name", request.volume)
      } else {
        source.setAttribute("file", request.volume)
      }
      let target = XMLElement(name: "target")
      target.setAttribute("dev", dev)
      target.setAttribute("bus", request.bus)
      for child in [driver, source, target] { disk.addChild(child) }
      try insert(disk, after: "disk", in: root)
    }
  }

  /// The definition without the disk of `volume`.
  public static func removingVolume(_ xml: String, volume: String) throws -> DomainXML {
    var removed = 0
    let result = try DomainXML.edited(xml) { root in
      for disk in root.child("devices")?.children(named: "disk") ?? [] {
        let source = disk.child("source")
        if source?.attribute("name") == volume || source?.attribute("file") == volume {
          disk.detach()
          removed += 1
        }
      }
    }
    guard removed > 0 else { throw VMError.invalidArgument("volume \(volume) is not attached to the VM") }
    return result
  }

  /// Inserts `element` after the last `<devices>` child named `name` (or at the start of `<devices>`).
  static func insert(_ element: XMLElement, after name: String, in root: XMLElement) throws {
    guard let devices = root.child("devices") else { throw VMError.invalidXML("the definition has no <devices>") }
    let siblings = devices.children ?? []
    if let last = siblings.lastIndex(where: { ($0 as? XMLElement)?.name == name }) {
      devices.insertChild(element, at: last + 1)
    } else {
      let emulator = siblings.firstIndex { ($0 as? XMLElement)?.name == "emulator" }
      devices.insertChild(element, at: emulator.map { $0 + 1 } ?? 0)
    }
  }
}
