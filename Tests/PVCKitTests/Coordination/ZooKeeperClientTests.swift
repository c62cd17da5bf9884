import Foundation
import PVCKit
import Testing

/// The client against a real standalone ZooKeeper, each test in its own chroot.
@Suite("ZooKeeper client")
struct ZooKeeperClientTests {
  @Test("create, get, set and delete honour versions", arguments: TestServices.both)
  func crudWithVersions(hosts: String) async throws {
    let (zk, _) = try await TestServices.client(on: hosts)
    defer { Task { await zk.close() } }

    try await zk.create("/a", "one")
    let first = try await zk.get("/a")
    #expect(first.string == "one")
    #expect(first.stat.version == 0)

    let second = try await zk.set("/a", "two", version: 0)
    #expect(second.version == 1)
    #expect(try await zk.string("/a") == "two")

    // A stale version is refused and changes nothing.
    let stale = await #expect(throws: ZooKeeperError.self) { try await zk.set("/a", "three", version: 0) }
    #expect(stale?.code == .badVersion)
    #expect(stale?.path == "/a")
    #expect(try await zk.string("/a") == "two")

    let duplicate = await #expect(throws: ZooKeeperError.self) { try await zk.create("/a", "x") }
    #expect(duplicate?.code == .nodeExists)
    #expect(duplicate?.description == "ZooKeeper create /a: node already exists")

    let orphan = await #expect(throws: ZooKeeperError.self) { try await zk.create("/missing/child", "x") }
    #expect(orphan?.code == .noNode)

    try await zk.create("/a/b", "child")
    #expect(try await zk.children("/a") == ["b"])
    let notEmpty = await #expect(throws: ZooKeeperError.self) { try await zk.delete("/a") }
    #expect(notEmpty?.code == .notEmpty)

    let wrongVersion = await #expect(throws: ZooKeeperError.self) { try await zk.delete("/a/b", version: 7) }
    #expect(wrongVersion?.code == .badVersion)
    try await zk.delete("/a/b", version: 0)
    #expect(try await zk.exists("/a/b") == nil)

    let gone = await #expect(throws: ZooKeeperError.self) { try await zk.get("/a/b") }
    #expect(gone?.code == .noNode)
    #expect(gone?.description.contains("/a/b") == true)
  }

  @Test("binary data round-trips unchanged")
  func binaryData() async throws {
    let (zk, _) = try await TestServices.client()
    defer { Task { await zk.close() } }
    let bytes: [UInt8] = [0, 1, 2, 255, 0, 128, 10]
    try await zk.create("/bin", data: bytes)
    #expect(try await zk.get("/bin").bytes == bytes)
    try await zk.create("/empty", data: [])
    #expect(try await zk.get("/empty").bytes.isEmpty)
  }

  @Test("multi applies all operations or none", arguments: TestServices.both)
  func multiIsAtomic(hosts: String) async throws {
    let (zk, _) = try await TestServices.client(on: hosts)
    defer { Task { await zk.close() } }
    try await zk.create("/existing", "v")

    let failure = await #expect(throws: ZooKeeperError.self) {
      try await zk.multi([.create("/m1", "1"), .create("/m2", "2"), .create("/existing", "dupe")])
    }
    #expect(failure?.code == .nodeExists)
    #expect(failure?.operation == "multi[2] create")
    #expect(failure?.path == "/existing")
    #expect(try await zk.exists("/m1") == nil)
    #expect(try await zk.exists("/m2") == nil)

    // A failed check rolls back the writes before it.
    let checkFailure = await #expect(throws: ZooKeeperError.self) {
      try await zk.multi([.set("/existing", "changed"), .check(path: "/existing", version: 5)])
    }
    #expect(checkFailure?.code == .badVersion)
    #expect(try await zk.string("/existing") == "v")

    let results = try await zk.multi([
      .create("/m1", "1"), .create("/m1/seq-", "s", mode: .persistentSequential),
      .check(path: "/existing", version: 0), .set("/existing", "w"), .delete(path: "/m1/seq-0000000000"),
    ])
    #expect(results.count == 5)
    #expect(results[1] == .created(path: "/m1/seq-0000000000"))
    #expect(try await zk.string("/existing") == "w")
    #expect(try await zk.children("/m1").isEmpty)
  }

  @Test("sequential nodes get increasing suffixes; ephemerals end with the session")
  func sequentialAndEphemeral() async throws {
    let (zk, connect) = try await TestServices.client()
    try await zk.create("/q", "")
    let a = try await zk.create("/q/item-", data: [], mode: .persistentSequential)
    let b = try await zk.create("/q/item-", data: [], mode: .persistentSequential)
    #expect(a == "/q/item-0000000000")
    #expect(b == "/q/item-0000000001")

    try await zk.create("/q/alive", data: Array("hi".utf8), mode: .ephemeral)
    let observer = try await ZooKeeper.connect(to: connect)
    defer { Task { await observer.close() } }
    #expect(try await observer.exists("/q/alive")?.ephemeralOwner == zk.sessionID)
    await zk.close()
    #expect(try await observer.exists("/q/alive") == nil)
    #expect(try await observer.children("/q").sorted() == ["item-0000000000", "item-0000000001"])
  }

  @Test("thousands of reads and writes in flight at once", arguments: TestServices.both)
  func pipelinedReadsAndWrites(hosts: String) async throws {
    let (zk, _) = try await TestServices.client(on: hosts)
    defer { Task { await zk.close() } }
    try await zk.create("/many", "")
    let count = 3000
    let paths = (0..<count).map { "/many/n\($0)" }
    let writes = try await zk.pipeline(paths.enumerated().map { .create($1, "value-\($0)") })
    #expect(writes.allSatisfy { if case .success = $0 { true } else { false } })

    let values = try await zk.getMany(paths + ["/many/absent"])
    #expect(values.count == count + 1)
    #expect(values.last! == nil)
    #expect(values.prefix(count).enumerated().allSatisfy { $1?.string == "value-\($0)" })

    // Concurrent single calls pipeline too.
    let concurrent = try await withThrowingTaskGroup(of: (Int, String).self) { group in
      for i in stride(from: 0, to: count, by: 7) { group.addTask { (i, try await zk.get(paths[i]).string) } }
      return try await group.reduce(into: [Int: String]()) { $0[$1.0] = $1.1 }
    }
    #expect(concurrent.allSatisfy { $0.value == "value-\($0.key)" })
    #expect(try await zk.children("/many").count == count)

    // A failure inside a batch names its path.
    let dupes = try await zk.pipeline([.create("/many/n1", "x"), .create("/many/new", "y")])
    guard case .failure(let error) = dupes[0] else {
      Issue.record("duplicate create succeeded")
      return
    }
    #expect(error.path == "/many/n1")
    #expect(error.code == .nodeExists)
    if case .failure = dupes[1] { Issue.record("independent create failed") }

    try await zk.deleteRecursively("/many")
    #expect(try await zk.exists("/many") == nil)
  }

  @Test("a data watch yields the current value, then once per change", arguments: TestServices.both)
  func dataWatchOncePerChange(hosts: String) async throws {
    let (zk, connect) = try await TestServices.client(on: hosts)
    defer { Task { await zk.close() } }
    let writer = try await ZooKeeper.connect(to: connect)
    defer { Task { await writer.close() } }

    let values = Collector(zk.watchData("/w"))
    #expect(try await values.wait(for: 1).map { $0?.string } == [nil])

    try await writer.create("/w", "v0")
    #expect(try await values.wait(for: 2).last??.string == "v0")
    for i in 1...5 {
      try await writer.set("/w", "v\(i)")
      #expect(try await values.wait(for: 2 + i).last??.string == "v\(i)")
    }
    try await writer.delete("/w")
    let all = try await values.wait(for: 8)
    #expect(all.last! == nil)

    // Nothing more arrives without a change, and each change was seen exactly once.
    try await Task.sleep(for: .milliseconds(300))
    #expect(values.all.map { $0?.string } == [nil, "v0", "v1", "v2", "v3", "v4", "v5", nil])

    // A second watcher of the same path starts from the current value.
    let late = Collector(zk.watchData("/w"))
    #expect(try await late.wait(for: 1).count == 1)
    try await writer.create("/w", "again")
    #expect(try await late.wait(for: 2).last??.string == "again")
    #expect(try await values.wait(for: 9).last??.string == "again")
  }

  @Test("a children watch follows creates and deletes")
  func childrenWatch() async throws {
    let (zk, _) = try await TestServices.client()
    defer { Task { await zk.close() } }
    let lists = Collector(zk.watchChildren("/c"))
    #expect(try await lists.wait(for: 1).first! == nil)
    try await zk.create("/c", "")
    #expect(try await lists.wait(for: 2).last??.names == [])
    try await zk.create("/c/x", "")
    #expect(try await lists.wait(for: 3).last??.names == ["x"])
    try await zk.create("/c/y", "")
    #expect(try await lists.wait(for: 4).last??.names.sorted() == ["x", "y"])
    // A data change of the parent is not a children change.
    try await zk.set("/c", "data")
    try await zk.delete("/c/x")
    #expect(try await lists.wait(for: 5).last??.names == ["y"])
    try await Task.sleep(for: .milliseconds(200))
    #expect(lists.all.count == 5)
  }

  @Test("session states start connected and end closed")
  func sessionStates() async throws {
    let (zk, _) = try await TestServices.client()
    let states = Collector(zk.sessionStates())
    let first = try await states.wait(for: 1)
    #expect(first == [.connected(sessionID: zk.sessionID)])
    await zk.close()
    #expect(try await states.wait(for: 2).last == .closed)
    let error = await #expect(throws: ZooKeeperError.self) { try await zk.get("/") }
    #expect(error?.code == .closed)
  }

  @Test("connecting to nothing fails with a clear error")
  func connectFailure() async throws {
    let error = await #expect(throws: ZooKeeperError.self) {
      _ = try await ZooKeeper.connect(to: "127.0.0.1:1", connectTimeout: .milliseconds(500))
    }
    #expect(error?.code == .notConnected)
    #expect(error?.description.contains("127.0.0.1:1") == true)
  }

  @Test("after session expiry a new session restores ephemerals and watches")
  func expiryRecovery() async throws {
    let (zk, connect) = try await TestServices.client(sessionTimeout: .seconds(2))
    defer { Task { await zk.close() } }
    let other = try await ZooKeeper.connect(to: connect)
    defer { Task { await other.close() } }

    try await zk.create("/reg", data: Array("first".utf8), mode: .ephemeral)
    try await zk.set("/reg", "latest")
    try await zk.create("/queue", "")
    try await zk.create("/queue/n-", data: [], mode: .ephemeralSequential)
    try await zk.create("/watched", "before")
    let watched = Collector(zk.watchData("/watched"))
    _ = try await watched.wait(for: 1)
    let states = Collector(zk.sessionStates())
    let oldSession = zk.sessionID

    try await zk._expireSessionForTesting()
    // While the session is being replaced, another client changes the watched node.
    try await other.set("/watched", "during")

    _ = try await eventually {
      if case .connected(let id) = states.all.last, id != oldSession { true } else { false }
    }
    let seen = states.all
    #expect(seen.contains(.expired))
    guard case .connected(let newSession) = seen.last else {
      Issue.record("no reconnection: \(seen)")
      return
    }
    #expect(newSession != oldSession)
    #expect(newSession == zk.sessionID)

    // The plain ephemeral is back with its latest data, owned by the new session.
    let reg = try await other.get("/reg")
    #expect(reg.string == "latest")
    #expect(reg.stat.ephemeralOwner == newSession)
    // The sequential one (a place in a queue) is not re-created.
    #expect(try await other.children("/queue").isEmpty)
    // The watch saw the change made during the outage and keeps working.
    #expect(try await watched.wait(for: 2).last??.string == "during")
    try await other.set("/watched", "after")
    #expect(try await watched.wait(for: 3).last??.string == "after")
    // Deleting the ephemeral stops it from being restored.
    try await zk.delete("/reg")
    #expect(try await other.exists("/reg") == nil)
  }
}
