import Foundation
import PVCKit
import Testing

/// Failures of the 3-server ensemble itself. Serialized: the tests kill servers.
@Suite("ZooKeeper ensemble failover", .serialized)
struct EnsembleFailoverTests {
  @Test("killing the ZooKeeper leader: the client reconnects with its session and loses nothing")
  func leaderLoss() async throws {
    let (zk, connect) = try await TestServices.client(on: TestServices.ensemble, sessionTimeout: .seconds(10))
    defer { Task { await zk.close() } }
    let session = zk.sessionID
    try await zk.create("/alive", data: [], mode: .ephemeral)
    try await zk.create("/data", "")
    try await zk.create("/watched", "0")
    let watched = Collector(zk.watchData("/watched"))
    _ = try await watched.wait(for: 1)
    let states = Collector(zk.sessionStates())

    let leader = try TestServices.script("zookeeper.sh", "leader").trimmingCharacters(in: .whitespacesAndNewlines)
    #expect(["1", "2", "3"].contains(leader))
    defer { _ = try? TestServices.script("zookeeper.sh", "start-server", leader) }

    let total = 200
    let killer = Task {
      try await Task.sleep(for: .milliseconds(50))
      try TestServices.script("zookeeper.sh", "kill", leader)
    }
    var ambiguous = 0
    for i in 0..<total {
      let path = "/data/n\(i)"
      while true {
        do {
          try await zk.create(path, "\(i)")
          break
        } catch let error as ZooKeeperError where error.code == .connectionLoss || error.code == .operationTimeout {
          // The outcome is unknown: the write may have been applied before the reply was lost.
          ambiguous += 1
          if try await zk.exists(path) != nil { break }
        } catch let error as ZooKeeperError where error.code == .nodeExists && ambiguous > 0 {
          break
        }
      }
    }
    try await killer.value

    // Every acknowledged write is there, the session survived, and so did its ephemeral.
    let values = try await zk.getMany((0..<total).map { "/data/n\($0)" })
    #expect(values.enumerated().allSatisfy { $1?.string == "\($0)" })
    #expect(zk.sessionID == session)
    #expect(try await zk.exists("/alive")?.ephemeralOwner == session)
    #expect(!states.all.contains(.expired))

    // Watches keep working through the new leader.
    try await zk.set("/watched", "1")
    #expect(try await watched.wait(for: 2).last??.string == "1")

    // A fresh client sees the same data.
    let other = try await ZooKeeper.connect(to: connect)
    defer { Task { await other.close() } }
    #expect(try await other.children("/data").count == total)
    let newLeader = try TestServices.script("zookeeper.sh", "leader").trimmingCharacters(in: .whitespacesAndNewlines)
    #expect(newLeader != leader)
  }
}
