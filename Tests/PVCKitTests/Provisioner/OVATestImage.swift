import Foundation

/// A small OVA made by a test: a raw disk with a marker at its start, converted to a stream-optimised VMDK by
/// `qemu-img`, and an OVF descriptor, in a tar archive (the descriptor first, as the OVF specification asks).
struct OVATestImage {
  let directory: URL
  let archive: URL
  let marker: [UInt8]

  /// The descriptor of a VM with `vcpus`, `memoryMiB` and one disk of `diskMiB`.
  static func descriptor(vcpus: Int = 1, memoryMiB: Int = 64, diskMiB: Int = 16, file: String = "disk1.vmdk")
    -> String
  {
    """
    <?xml version="1.0" encoding="UTF-8"?>
    <Envelope xmlns="http://schemas.dmtf.org/ovf/envelope/1" xmlns:ovf="http://schemas.dmtf.org/ovf/envelope/1"
      xmlns:rasd="http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_ResourceAllocationSettingData">
      <References><File ovf:id="file1" ovf:href="\(file)"/></References>
      <DiskSection><Info>Disks</Info>
        <Disk ovf:diskId="vmdisk1" ovf:fileRef="file1" ovf:capacity="\(diskMiB)"
          ovf:capacityAllocationUnits="byte * 2^20"
          ovf:format="http://www.vmware.com/interfaces/specifications/vmdk.html#streamOptimized"/>
      </DiskSection>
      <NetworkSection><Info>Networks</Info><Network ovf:name="VM Network"/></NetworkSection>
      <VirtualSystem ovf:id="appliance">
        <VirtualHardwareSection>
          <Item><rasd:AllocationUnits>hertz * 10^6</rasd:AllocationUnits><rasd:InstanceID>1</rasd:InstanceID>
            <rasd:ResourceType>3</rasd:ResourceType><rasd:VirtualQuantity>\(vcpus)</rasd:VirtualQuantity></Item>
          <Item><rasd:AllocationUnits>byte * 2^20</rasd:AllocationUnits><rasd:InstanceID>2</rasd:InstanceID>
            <rasd:ResourceType>4</rasd:ResourceType><rasd:VirtualQuantity>\(memoryMiB)</rasd:VirtualQuantity></Item>
          <Item><rasd:HostResource>ovf:/disk/vmdisk1</rasd:HostResource><rasd:InstanceID>3</rasd:InstanceID>
            <rasd:ResourceType>17</rasd:ResourceType></Item>
          <Item><rasd:Connection>VM Network</rasd:Connection><rasd:InstanceID>4</rasd:InstanceID>
            <rasd:ResourceSubType>E1000</rasd:ResourceSubType><rasd:ResourceType>10</rasd:ResourceType></Item>
        </VirtualHardwareSection>
      </VirtualSystem>
    </Envelope>
    """
  }

  /// Builds the archive in a new temporary directory (removed by ``remove()``).
  static func make(tag: String, descriptor: String? = nil) throws -> OVATestImage {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ova-\(tag)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    let raw = directory.appendingPathComponent("disk.raw")
    let marker = Array("PVCKit OVA disk \(tag)".utf8) + [UInt8](repeating: 0x5A, count: 3000)
    var bytes = Data(marker)
    bytes.append(Data(count: (16 << 20) - marker.count))
    try bytes.write(to: raw)
    let convert = try TestServices.runTool(
      "/usr/bin/qemu-img",
      [
        "convert", "-f", "raw", "-O", "vmdk", "-o", "subformat=streamOptimized", raw.path,
        directory.appendingPathComponent("disk1.vmdk").path,
      ])
    guard convert.status == 0 else { throw OVATestError(convert.output) }
    try Data((descriptor ?? Self.descriptor()).utf8).write(to: directory.appendingPathComponent("appliance.ovf"))
    let archive = directory.appendingPathComponent("appliance.ova")
    let tar = try TestServices.runTool(
      "/usr/bin/tar", ["-C", directory.path, "--format=ustar", "-cf", archive.path, "appliance.ovf", "disk1.vmdk"])
    guard tar.status == 0 else { throw OVATestError(tar.output) }
    return OVATestImage(directory: directory, archive: archive, marker: marker)
  }

  var size: UInt64 { (try? FileManager.default.attributesOfItem(atPath: archive.path)[.size] as? UInt64) ?? 0 }

  func remove() { try? FileManager.default.removeItem(at: directory) }
}

struct OVATestError: Error, CustomStringConvertible {
  let description: String
  init(_ description: String) { self.description = description }
}
