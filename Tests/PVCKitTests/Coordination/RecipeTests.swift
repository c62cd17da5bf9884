import Foundation
import PVCKit
import Synchronization
import Testing

/// Locks and elections between several real clients of one ZooKeeper.
@Suite("Coordination recipes")
struct RecipeTests {
  @Test("an exclusive lock admits one holder at a time")
  func exclusiveLock() async throws {
    let (a, connect) = try await TestServices.client()
    let b = try await ZooKeeper.connect(to: connect)
    defer {
      Task {
        await a.close()
        await b.close()
      }
    }

    let lockA = DistributedLock(client: a, path: "/locks/x", identifier: "a")
    let lockB = DistributedLock(client: b, path: "/locks/x", identifier: "b")
    try await lockA.acquire()
    #expect(lockA.isHeld)

    let timedOut = await #expect(throws: CoordinationError.self) {
      try await lockB.acquire(timeout: .milliseconds(300))
    }
    #expect(timedOut?.reason == .timedOut)
    #expect(!lockB.isHeld)
    // A timed-out waiter leaves the queue.
    #expect(try await lockA.contenders() == ["a"])

    let waiting = Task { try await lockB.acquire(timeout: .seconds(30)) }
    _ = try await eventually { try await lockA.contenders() == ["a", "b"] }
    try await lockA.release()
    try await waiting.value
    #expect(lockB.isHeld)
    #expect(!lockA.isHeld)
    #expect(try await lockB.contenders() == ["b"])
    try await lockB.release()

    let notHeld = await #expect(throws: CoordinationError.self) { try await lockB.release() }
    #expect(notHeld?.reason == .notHeld)
  }

  @Test("withLock serialises critical sections across clients")
  func mutualExclusion() async throws {
    let (first, connect) = try await TestServices.client()
    var connected = [first]
    for _ in 0..<3 { connected.append(try await ZooKeeper.connect(to: connect)) }
    let clients = connected
    defer { Task { for c in clients { await c.close() } } }

    let inside = Shared(0)
    let maximum = Shared(0)
    try await withThrowingTaskGroup(of: Void.self) { group in
      for (i, client) in clients.enumerated() {
        group.addTask {
          for _ in 0..<3 {
            let lock = DistributedLock(client: client, path: "/locks/section", identifier: "c\(i)")
            try await lock.withLock(timeout: .seconds(60)) {
              let now = inside.update { $0 += 1 }
              maximum.update { $0 = max($0, now) }
              try await Task.sleep(for: .milliseconds(10))
              inside.update { $0 -= 1 }
            }
          }
        }
      }
      try await group.waitForAll()
    }
    #expect(maximum.value == 1)
  }

  @Test("a holder whose session expires loses the lock to the next waiter")
  func lockReleasedOnExpiry() async throws {
    let (a, connect) = try await TestServices.client(sessionTimeout: .seconds(2))
    let b = try await ZooKeeper.connect(to: connect)
    defer {
      Task {
        await a.close()
        await b.close()
      }
    }

    let lockA = DistributedLock(client: a, path: "/locks/fence", identifier: "a")
    let lockB = DistributedLock(client: b, path: "/locks/fence", identifier: "b")
    try await lockA.acquire()
    // Generous: under load the expiry itself can take many seconds.
    let waiting = Task { try await lockB.acquire(timeout: .seconds(45)) }
    _ = try await eventually { try await lockB.contenders().count == 2 }

    try await a._expireSessionForTesting()
    try await waiting.value
    #expect(lockB.isHeld)
    #expect(try await eventually { !lockA.isHeld })
    // The former holder cannot release what it no longer holds, and does not disturb the new holder.
    try? await lockA.release()
    #expect(try await lockB.contenders() == ["b"])
  }

  @Test("readers share a read/write lock; writers exclude them")
  func readWriteLock() async throws {
    let (a, connect) = try await TestServices.client()
    let b = try await ZooKeeper.connect(to: connect)
    let c = try await ZooKeeper.connect(to: connect)
    defer {
      Task {
        await a.close()
        await b.close()
        await c.close()
      }
    }

    let reader1 = DistributedLock(client: a, path: "/locks/rw", mode: .read, identifier: "r1")
    let reader2 = DistributedLock(client: b, path: "/locks/rw", mode: .read, identifier: "r2")
    let writer = DistributedLock(client: c, path: "/locks/rw", mode: .write, identifier: "w")

    try await reader1.acquire(timeout: .seconds(20))
    try await reader2.acquire(timeout: .seconds(20))
    #expect(reader1.isHeld && reader2.isHeld)

    let blocked = await #expect(throws: CoordinationError.self) {
      try await writer.acquire(timeout: .milliseconds(300))
    }
    #expect(blocked?.reason == .timedOut)

    let writing = Task { try await writer.acquire(timeout: .seconds(30)) }
    _ = try await eventually { try await reader1.contenders().count == 3 }
    try await reader1.release()
    try await Task.sleep(for: .milliseconds(200))
    #expect(!writer.isHeld)
    try await reader2.release()
    try await writing.value
    #expect(writer.isHeld)

    // A reader queued behind a writer waits for it.
    let reader3 = DistributedLock(client: a, path: "/locks/rw", mode: .read, identifier: "r3")
    let late = await #expect(throws: CoordinationError.self) { try await reader3.acquire(timeout: .milliseconds(300)) }
    #expect(late?.reason == .timedOut)
    try await writer.release()
    try await reader3.acquire(timeout: .seconds(20))
    try await reader3.release()
  }

  @Test("election: one leader; when its session dies the next candidate leads")
  func electionFailover() async throws {
    let (first, connect) = try await TestServices.client(sessionTimeout: .seconds(2))
    let clients = [first, try await ZooKeeper.connect(to: connect), try await ZooKeeper.connect(to: connect)]
    defer { Task { for c in clients { await c.close() } } }

    let elections = clients.enumerated().map { LeaderElection(client: $1, path: "/election", identifier: "n\($0)") }
    let first0 = Collector(elections[0].campaign())
    #expect(try await first0.wait(for: 1) == [true])
    let others = [Collector(elections[1].campaign()), Collector(elections[2].campaign())]
    _ = try await eventually { try await elections[0].leader() == "n0" }
    try await Task.sleep(for: .milliseconds(200))
    #expect(others.allSatisfy { $0.all.isEmpty })

    // Kill the leader's session: exactly one other candidate takes over, and the former
    // leader ends up a follower. (While its session is being killed it may briefly
    // reconnect with its node still first and lead again: that is still correct.)
    try await clients[0]._expireSessionForTesting()
    let settled = try await eventually {
      others.filter { $0.all.last == true }.count == 1 && first0.all.last == false
    }
    #expect(settled, "leaders did not settle: \(first0.all) \(others.map(\.all))")
    #expect(first0.all.prefix(2) == [true, false])
    let winner = others[0].all.last == true ? "n1" : "n2"
    #expect(try await elections[1].leader() == winner)

    // The former leader queues again behind the others.
    let requeued = try await eventually { try await clients[1].children("/election").count == 3 }
    let queue = try await clients[1].children("/election")
    #expect(requeued, "former leader did not queue again: \(first0.all), \(queue)")
    try await Task.sleep(for: .milliseconds(200))
    #expect(first0.all.last == false)
  }
}
