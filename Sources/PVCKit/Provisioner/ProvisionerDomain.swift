import Foundation

/// What a create puts together from a profile (pure): the VM's NICs with their MAC addresses and bridges, its
/// disks with their volume names, and the libvirt definition made from the templates.
public struct ProvisionerPlan: Codable, Sendable, Hashable {
  /// One NIC.
  public struct NIC: Codable, Sendable, Hashable {
    /// The template's network (a VNI, or `upstream`, `cluster`, `storage`).
    public var vni: String
    public var bridge: String
    public var mac: String
  }

  /// One disk: its volume (`<vm>_<disk>` in its pool), copied from a source volume or made of a size.
  public struct Disk: Codable, Sendable, Hashable {
    public var diskID: String
    public var pool: String
    public var volume: String
    public var sourceVolume: String?
    public var sizeGB: Int?
    public var filesystem: String?
    public var filesystemArguments: [String]
    public var mountpoint: String?

    enum CodingKeys: String, CodingKey {
      case pool, volume, filesystem, mountpoint
      case diskID = "disk_id"
      case sourceVolume = "source_volume"
      case sizeGB = "size_gb"
      case filesystemArguments = "filesystem_args"
    }
  }

  public var name: String
  public var uuid: String
  public var profile: String
  public var system: SystemTemplate
  public var nics: [NIC]
  public var disks: [Disk]
  /// The profile's arguments with the create's own over them.
  public var arguments: [String: String]
  public var userdata: String?

  /// Puts a create together.
  /// - Parameters:
  ///   - identifier: picks MAC addresses from a template (`{vmid}`): the name's trailing digits, as upstream meant.
  ///   - random: six random bytes' source for MAC addresses without a template.
  public static func make(
    name: String, uuid: String, profile: VMProfile, system: SystemTemplate, network: NetworkTemplate?,
    storage: StorageTemplate?, userdata: String?, arguments: [String], random: () -> UInt8 = { .random(in: 16...238) }
  ) throws(ProvisionerError) -> ProvisionerPlan {
    var merged: [String: String] = [:]
    for argument in try ProvisionerRules.arguments(profile.arguments) + ProvisionerRules.arguments(arguments) {
      let parts = argument.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
      merged[String(parts[0])] = String(parts[1])
    }
    let vmid = Int(String(name.reversed().prefix { $0.isNumber }.reversed())).map { $0 % 16 } ?? 0
    let nics = (network?.networks ?? []).enumerated().map { index, net -> NIC in
      let bridge = Int(net.vni) != nil ? "vmbr\(net.vni)" : "br\(net.vni)"
      let mac: String
      if let template = network?.macTemplate, !template.isEmpty {
        mac =
          template.replacingOccurrences(of: "{prefix}", with: "52:54:00").replacingOccurrences(
            of: "{vmid}", with: String(vmid, radix: 16)
          ).replacingOccurrences(of: "{netid}", with: String(index % 16, radix: 16)).lowercased()
      } else {
        mac = "52:54:00:" + (0..<3).map { _ in String(format: "%02x", random()) }.joined(separator: ":")
      }
      return NIC(vni: net.vni, bridge: bridge, mac: mac)
    }
    let disks = (storage?.disks ?? []).sorted { $0.diskID < $1.diskID }.map { disk in
      Disk(
        diskID: disk.diskID, pool: disk.pool, volume: "\(name)_\(disk.diskID)", sourceVolume: disk.sourceVolume,
        sizeGB: disk.diskSizeGB, filesystem: disk.filesystem,
        filesystemArguments: disk.filesystemArgs.split(separator: " ").map(String.init), mountpoint: disk.mountpoint)
    }
    return ProvisionerPlan(
      name: name, uuid: uuid, profile: profile.name, system: system, nics: nics, disks: disks, arguments: merged,
      userdata: userdata)
  }

  /// The libvirt definition of the plan (values checked before; still escaped).
  public func domainXML(kvm: Bool = true) -> String {
    func escaped(_ text: String) -> String {
      text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
        .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "'", with: "&apos;")
        .replacingOccurrences(of: "\"", with: "&quot;")
    }
    var devices: [String] = []
    if system.serial {
      devices.append("<serial type='pty'><target port='0'/></serial>")
      devices.append("<console type='pty'><target type='serial' port='0'/></console>")
    }
    if system.vnc {
      devices.append(
        "<graphics type='vnc' port='-1' autoport='yes' listen='\(escaped(system.vncBind ?? "127.0.0.1"))'/>")
    }
    if !disks.isEmpty { devices.append("<controller type='scsi' index='0' model='virtio-scsi'/>") }
    for disk in disks {
      devices.append(
        """
        <disk type='network' device='disk'><driver name='qemu' type='raw' cache='writeback' discard='unmap'/>\
        <source protocol='rbd' name='\(escaped(disk.pool))/\(escaped(disk.volume))'/>\
        <target dev='\(escaped(disk.diskID))' bus='scsi'/></disk>
        """)
    }
    for nic in nics {
      devices.append(
        """
        <interface type='bridge'><mac address='\(escaped(nic.mac))'/><source bridge='\(escaped(nic.bridge))'/>\
        <model type='virtio'/></interface>
        """)
    }
    return """
      <domain type='\(kvm ? "kvm" : "qemu")'>
        <name>\(escaped(name))</name>
        <uuid>\(escaped(uuid))</uuid>
        <description>Made by the PVC provisioner from profile \(escaped(profile))</description>
        <memory unit='MiB'>\(system.vramMB)</memory>
        <vcpu>\(system.vcpuCount)</vcpu>
        <os><type arch='x86_64' machine='pc'>hvm</type><boot dev='hd'/></os>
        <features><acpi/><apic/></features>
        <devices>
          \(devices.joined(separator: "\n    "))
        </devices>
      </domain>
      """
  }
}
