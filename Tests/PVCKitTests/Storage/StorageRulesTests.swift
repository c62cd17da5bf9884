import Testing

@testable import PVCKit

/// Storage values checked before Ceph sees them (pure).
@Suite("Storage rules")
struct StorageRulesTests {
  @Test("sizes in upstream's forms")
  func sizes() throws {
    #expect(try StorageRules.bytes("10G") == 10 << 30)
    #expect(try StorageRules.bytes("10GB") == 10 << 30)
    #expect(try StorageRules.bytes("10GiB") == 10 << 30)
    #expect(try StorageRules.bytes("512m") == 512 << 20)
    #expect(try StorageRules.bytes("4096") == 4096)
    #expect(try StorageRules.bytes("1T") == 1 << 40)
    for bad in ["", "G", "10X", "-1G", "1.5G", "0", "99999999999999999999P", "10 G", "1e9", "١٠G"] {
      #expect(throws: CephError.self, "\(bad)") { try StorageRules.bytes(bad) }
    }
  }

  @Test("replication strings, placement groups, tiers")
  func pools() throws {
    #expect(try StorageRules.replication("copies=3,mincopies=2") == .init(copies: 3, minimumCopies: 2))
    #expect(try StorageRules.replication("mincopies=1,copies=2").description == "copies=2,mincopies=1")
    for bad in [
      "", "copies=3", "copies=2,mincopies=3", "copies=3,mincopies=2,x=1", "copies=0,mincopies=0",
      "copies=3,copies=3", "copies=3;mincopies=2", "copies=10,mincopies=2",
    ] {
      #expect(throws: CephError.self, "\(bad)") { try StorageRules.replication(bad) }
    }
    #expect(try StorageRules.placementGroups(64) == 64)
    #expect(throws: CephError.self) { try StorageRules.placementGroups(48) }
    #expect(throws: CephError.self) { try StorageRules.placementGroups(0) }
    #expect(throws: CephError.self) { try StorageRules.placementGroups(8192) }
    #expect(try StorageRules.tier("ssd") == "ssd")
    #expect(throws: CephError.self) { try StorageRules.tier("fast") }
  }
}
