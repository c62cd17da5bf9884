import Foundation
import PVCKit
import Testing

/// Bulk reads over the second connection (ZooKeeper multiRead), on both kinds of server.
@Suite("ZooKeeper bulk reads")
struct BulkReadTests {
  @Test("bulk reads return data, children and missing nodes in order, inside the chroot", arguments: TestServices.both)
  func bulkReads(hosts: String) async throws {
    let (zk, _) = try await TestServices.client(on: hosts)
    defer { Task { await zk.close() } }
    try await zk.create("/b", "")
    let paths = (0..<600).map { "/b/n\($0)" }
    _ = try await zk.pipeline(paths.enumerated().map { .create($1, "v\($0)") })
    try await zk.create("/b/n5/child", "")

    let (data, children) = try await zk.readBulk(
      data: paths + ["/b/missing", "/b"], children: ["/b/n5", "/nope", "/b/n7"])
    #expect(data.count == 602)
    #expect(data.prefix(600).enumerated().allSatisfy { $1?.string == "v\($0)" })
    #expect(data[600] == nil)
    #expect(data[601]?.stat.numChildren == 600)
    #expect(children[0] == ["child"])
    #expect(children[1] == nil)
    #expect(children[2] == [])

    // It sees a write made just before it (a sync precedes every batch).
    try await zk.set("/b/n1", "changed")
    #expect(try await zk.readBulk(data: ["/b/n1"], children: []).data[0]?.string == "changed")
    // Stats agree with the main session's.
    #expect(try await zk.readBulk(data: ["/b/n2"], children: []).data[0]?.stat == (try await zk.get("/b/n2").stat))
    #expect(try await zk.readBulk(data: [], children: []).data.isEmpty)
    #expect(zk.bulkReadFallbacks == 0, "bulk reads fell back to the main session")
  }
}
