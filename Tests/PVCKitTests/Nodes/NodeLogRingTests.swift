import Foundation
import PVCKitFixtures
import Testing

@testable import PVCKit

/// The node log ring: chunks appended, never the whole log rewritten; bounded in lines and bytes; read and followed
/// through the node operations; upstream's `messages` still read where there is no ring.
@Suite("Node log ring")
struct NodeLogRingTests {
  @Test("lines are cut into chunks of at most the limit; an over-long line is one chunk")
  func chunks() {
    let lines = (0..<10).map { String(repeating: "x", count: 10) + "\($0)" }
    let chunks = NodeLogRing.chunks(lines, maxBytes: 40)
    #expect(chunks.flatMap { $0 } == lines)
    #expect(chunks.allSatisfy { $0.map { $0.utf8.count + 1 }.reduce(0, +) <= 40 })
    #expect(NodeLogRing.chunks([String(repeating: "y", count: 100)], maxBytes: 40).count == 1)
    #expect(NodeLogRing.path("/r", 42) == "/r/000000000042")
    #expect(NodeLogRing.sequence("000000000042") == 42)
    #expect(NodeLogRing.sequence("messages") == nil)
  }

  @Test("published lines are appended as chunks, the oldest dropped beyond the limits; read and followed")
  func ring() async throws {
    let hosts = try await TestServices.chroot()
    let cluster = try await PVCCluster.connect(.zookeeper(hosts: hosts))
    defer { Task { await cluster.close() } }
    let zookeeper = try #require(cluster.zookeeper)
    try await UpstreamSeeder(zookeeper: zookeeper, vms: 0).seed()
    let log = NodeLog(capacity: 50, byteCapacity: 1 << 20)
    for index in 0..<30 { log.append("first \(index)") }
    await log.publish(to: zookeeper, node: "hv1")
    var text = try await cluster.nodes.log("hv1", lines: 5)
    #expect(text.hasSuffix("first 29") && text.split(separator: "\n").count == 5, "\(text)")
    // Following: the log so far, then what is published next.
    let stream = cluster.nodes.followLog("hv1", lines: 2)
    var iterator = stream.makeAsyncIterator()
    let start = try await iterator.next()
    #expect(start?.hasSuffix("first 29") == true)
    for index in 0..<30 { log.append("second \(index)") }
    await log.publish(to: zookeeper, node: "hv1")
    var followed = ""
    while !followed.contains("second 29"), let piece = try await iterator.next() { followed += piece + "\n" }
    #expect(followed.contains("second 0") && followed.contains("second 29") && !followed.contains("first"))
    // 60 lines logged, 50 kept: the first chunk (30 lines) went, whole.
    let ring = try Layout.log("hv1").basePath + "/ring"
    #expect(try await zookeeper.children(ring).count == 1)
    text = try await cluster.nodes.log("hv1", lines: 1000)
    #expect(!text.contains("first") && text.split(separator: "\n").count == 30)
    // Upstream's messages for upstream's readers.
    #expect(try await zookeeper.string(try Layout.log("hv1").path(.messages))?.contains("first 0") == true)
    // Newlines in a message stay one line; over-long lines are cut.
    log.append("two\nlines")
    log.append(String(repeating: "z", count: 10_000))
    await log.publish(to: zookeeper, node: "hv1")
    text = try await cluster.nodes.log("hv1", lines: 2)
    #expect(text.contains("two lines"))
    #expect(text.utf8.count < 4096 * 2 + 100)
  }

  @Test("a node without a ring (upstream's daemon) is read from messages")
  func upstreamMessages() async throws {
    let hosts = try await TestServices.chroot()
    let cluster = try await PVCCluster.connect(.zookeeper(hosts: hosts))
    defer { Task { await cluster.close() } }
    let zookeeper = try #require(cluster.zookeeper)
    try await UpstreamSeeder(zookeeper: zookeeper, vms: 0).seed()
    let messages = try Layout.log("hv2").path(.messages)
    try await zookeeper.ensurePath(try Layout.log("hv2").basePath)
    _ = try? await zookeeper.create(messages, "")
    try await zookeeper.set(messages, "a\nb\nc")
    #expect(try await cluster.nodes.log("hv2", lines: 2) == "b\nc")
  }
}
