import Foundation
import Testing

@testable import PVCKit

/// The OVF descriptor and the tar index an OVA upload reads (pure: no services).
@Suite("OVA parsing")
struct OVFDescriptorTests {
  @Test("a descriptor gives vCPUs, memory, disks in attach order and NICs")
  func descriptor() throws {
    let parsed = try OVFDescriptor.parse(OVATestImage.descriptor(vcpus: 2, memoryMiB: 1024, diskMiB: 20480))
    #expect(parsed.vcpus == 2 && parsed.memoryMiB == 1024)
    #expect(parsed.disks == [.init(id: "vmdisk1", file: "disk1.vmdk", capacity: 20 << 30, format: .vmdk)])
    #expect(parsed.nics == [.init(network: "VM Network", model: "E1000")])
  }

  @Test("units of allocation are read as the OVF specification writes them")
  func units() {
    #expect(OVFDescriptor.bytes("10", units: "byte * 2^30") == 10 << 30)
    #expect(OVFDescriptor.bytes("512", units: "MegaBytes") == 512 << 20)
    #expect(OVFDescriptor.bytes("4096", units: nil) == 4096)
    #expect(OVFDescriptor.bytes("1", units: "byte * 2^70") == nil)
    #expect(OVFDescriptor.bytes("99999999999999999999", units: "byte") == nil)
    #expect(OVFDescriptor.bytes("-1", units: "byte") == nil)
    #expect(OVFDescriptor.bytes("1", units: "furlongs") == nil)
  }

  @Test(
    "hostile or broken descriptors are refused with a reason",
    arguments: [
      "<!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><Envelope>&e;</Envelope>",
      "<Envelope><VirtualSystem>",
      "<Envelope/>",
      OVATestImage.descriptor(vcpus: 0),
      OVATestImage.descriptor(vcpus: 100_000),
      OVATestImage.descriptor(memoryMiB: 0),
      OVATestImage.descriptor().replacingOccurrences(of: "ovf:href=\"disk1.vmdk\"", with: "ovf:href=\"\""),
      OVATestImage.descriptor().replacingOccurrences(of: "ovf:id=\"file1\"", with: "ovf:id=\"other\""),
      OVATestImage.descriptor().replacingOccurrences(of: "ovf:capacity=\"16\"", with: "ovf:capacity=\"x\""),
      String(repeating: " ", count: (1 << 20) + 1),
    ])
  func refused(_ text: String) {
    #expect(throws: ProvisionerError.self) { try OVFDescriptor.parse(text) }
  }

  @Test("a tar archive's members are found by their headers, however the archive is read")
  func tarIndex() async throws {
    let image = try OVATestImage.make(tag: "tar-\(UUID().uuidString.prefix(6))")
    defer { image.remove() }
    let bytes = [UInt8](try Data(contentsOf: image.archive))
    let index = try await TarIndex.read(size: UInt64(bytes.count)) { offset, count in
      Array(bytes[Int(offset)..<min(bytes.count, Int(offset) + count)])
    }
    #expect(index.entries.map(\.name) == ["appliance.ovf", "disk1.vmdk"])
    let ovf = try #require(index.entry("./appliance.ovf"))
    let text = String(decoding: bytes[Int(ovf.offset)..<Int(ovf.offset + ovf.size)], as: UTF8.self)
    #expect(try OVFDescriptor.parse(text).disks.count == 1)
    let disk = try #require(index.entry("disk1.vmdk"))
    #expect(Array(bytes[Int(disk.offset)..<Int(disk.offset) + 4]) == Array("KDMV".utf8))

    // A damaged header, a member running past the end, garbage: refused.
    var damaged = bytes
    damaged[10] ^= 0xFF
    await #expect(throws: ProvisionerError.self) {
      _ = try await TarIndex.read(size: UInt64(damaged.count)) { offset, count in
        Array(damaged[Int(offset)..<min(damaged.count, Int(offset) + count)])
      }
    }
    let cut = Array(bytes.prefix(2048))
    await #expect(throws: ProvisionerError.self) {
      _ = try await TarIndex.read(size: UInt64(cut.count)) { offset, count in
        Array(cut[Int(offset)..<min(cut.count, Int(offset) + count)])
      }
    }
    let noise = (0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
    await #expect(throws: ProvisionerError.self) {
      _ = try await TarIndex.read(size: UInt64(noise.count)) { offset, count in
        Array(noise[Int(offset)..<min(noise.count, Int(offset) + count)])
      }
    }
  }
}
