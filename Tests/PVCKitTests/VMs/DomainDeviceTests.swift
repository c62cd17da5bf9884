import Foundation
import Testing

@testable import PVCKit

/// The checks and edits behind hot-plug, without a cluster.
@Suite("Domain devices")
struct DomainDeviceTests {
  static let definition = TestGuests.xml(name: "dev-vm", uuid: "5e2d43a4-8f0a-4a57-9d3c-0b7a4b0c6d11")
    .replacingOccurrences(
      of: "<devices>",
      with: "<devices><disk type='network' device='disk'><source protocol='rbd' name='vms/a'/>"
        + "<target dev='sda' bus='scsi'/></disk><interface type='bridge'><mac address='52:54:00:aa:bb:cc'/>"
        + "<source bridge='vmbr100'/><model type='virtio'/></interface>")

  @Test("a device is added after the last of its kind; an interface without a MAC gets one")
  func attach() throws {
    let disk = "<disk type='network' device='disk'><source protocol='rbd' name='vms/b'/><target dev='sdb'/></disk>"
    let (withDisk, _) = try DomainDevice(disk).attached(to: Self.definition)
    #expect(withDisk.summary.disks.map(\.dev) == ["sda", "sdb"])
    let (withNIC, added) = try DomainDevice("<interface type='bridge'><source bridge='vmbr200'/></interface>")
      .attached(to: Self.definition)
    #expect(withNIC.summary.interfaces.count == 2)
    let mac = try #require(withNIC.summary.interfaces.last?.mac)
    #expect(mac.hasPrefix("52:54:00:") && added.contains(mac))
  }

  @Test("the same disk target or MAC twice, a non-device root, declarations and oversize documents are refused")
  func refusals() throws {
    #expect(throws: VMError.self) {
      try DomainDevice("<disk type='network'><target dev='sda'/></disk>").attached(to: Self.definition)
    }
    #expect(throws: VMError.self) {
      try DomainDevice("<interface><mac address='52:54:00:AA:BB:CC'/></interface>").attached(to: Self.definition)
    }
    #expect(throws: VMError.self) { try DomainDevice("<domain/>") }
    #expect(throws: VMError.self) { try DomainDevice("<!DOCTYPE x [<!ENTITY e SYSTEM 'file:///etc/passwd'>]><disk/>") }
    #expect(throws: VMError.self) { try DomainDevice("<disk>") }
    #expect(throws: VMError.self) { try DomainDevice("<disk>" + String(repeating: "x", count: 70_000) + "</disk>") }
  }

  @Test("detach finds a disk by target and an interface by MAC, and says when there is none")
  func detach() throws {
    let (noDisk, stored) = try DomainDevice("<disk><target dev='sda'/></disk>").detached(from: Self.definition)
    #expect(noDisk.summary.disks.isEmpty && stored.contains("vms/a"))
    let (noNIC, _) = try DomainDevice("<interface><mac address='52:54:00:aa:bb:cc'/></interface>")
      .detached(from: Self.definition)
    #expect(noNIC.summary.interfaces.isEmpty)
    #expect(throws: VMError.self) {
      try DomainDevice("<disk><target dev='sdq'/></disk>").detached(from: Self.definition)
    }
  }

  @Test("an edit of the definition becomes the devices added and removed")
  func difference() throws {
    let edited = try VMDeviceEdits.addingVolume(
      try VMDeviceEdits.removingNetwork(Self.definition, network: "100", mac: nil).text,
      VMVolumeRequest(volume: "vms/c"))
    let change = try DomainDevice.difference(from: Self.definition, to: edited.text)
    #expect(change.added.count == 1 && change.added[0].contains("vms/c"))
    #expect(change.removed.count == 1 && change.removed[0].contains("52:54:00:aa:bb:cc"))
    #expect(try DomainDevice.difference(from: Self.definition, to: Self.definition) == ([], []))
  }
}
