import Testing

@testable import PVCKit

/// Upstream's `detect:` device strings (pure).
@Suite("OSD device detection")
struct DeviceDetectionTests {
  static let disks = [
    DeviceDetection.Disk(name: "sdc", model: "INTEL SSDSC2KG96", bytes: 960_197_124_096),
    DeviceDetection.Disk(name: "sda", model: "ATA Samsung SSD 860", bytes: 500_107_862_016),
    DeviceDetection.Disk(name: "sdb", model: "INTEL SSDSC2KG96", bytes: 960_197_124_096),
    DeviceDetection.Disk(name: "nvme0n1", model: "INTEL SSDPE2KX020T8", bytes: 2_000_398_934_016),
  ]

  @Test("a detect string names the Nth disk of a model and size, in the kernel's order")
  func resolve() throws {
    #expect(DeviceDetection.shown(960_197_124_096) == "960GB")
    #expect(DeviceDetection.shown(2_000_398_934_016) == "2TB")
    #expect(try DeviceDetection.resolve("detect:INTEL:960GB:0", among: Self.disks) == "/dev/sdb")
    #expect(try DeviceDetection.resolve("detect:intel:960GB:1", among: Self.disks) == "/dev/sdc")
    #expect(try DeviceDetection.resolve("detect:Samsung:500GB:0", among: Self.disks) == "/dev/sda")
    #expect(try DeviceDetection.resolve("detect:SSDPE2KX:2TB:0", among: Self.disks) == "/dev/nvme0n1")
  }

  @Test("malformed strings and numbers past the matches are refused, saying why")
  func refusals() {
    for bad in ["detect:INTEL:960GB", "detect::960GB:0", "detect:INTEL:960GB:x", "detect:INTEL:960GB:-1"] {
      #expect(throws: StorageError.self, "\(bad)") { try DeviceDetection.resolve(bad, among: Self.disks) }
    }
    #expect(throws: StorageError.self) { try DeviceDetection.resolve("detect:INTEL:960GB:2", among: Self.disks) }
    #expect(throws: StorageError.self) { try DeviceDetection.resolve("detect:WD:960GB:0", among: Self.disks) }
  }
}
