import Foundation
import Logging
import PVCKitFixtures
import Testing

@testable import PVCKit

/// Every write that changes where a VM runs or what it should do is checked
/// against the values it was decided on: a user's request racing a flush, an
/// unflush or a fence recovery is either carried out and kept, or refused with an
/// error; never silently overwritten. Many rounds with random interleavings,
/// against a real ZooKeeper.
@Suite("VM ownership races")
struct OwnershipRaceTests {
  static let rounds = 25

  /// A seeded cluster (3 nodes, 6 VMs running round-robin) in a fresh chroot.
  static func cluster(name: String = #function) async throws -> (PVCCluster, ZooKeeper) {
    let hosts = try await TestServices.chroot(name: name)
    let cluster = try await PVCCluster.connect(.zookeeper(hosts: hosts))
    let zk = try #require(cluster.zookeeper)
    try await UpstreamSeeder(zookeeper: zk, vms: 6).seed()
    return (cluster, zk)
  }

  /// Runs `a` and `b` at once, each after a random pause of up to 3 ms.
  static func race<A: Sendable, B: Sendable>(
    _ a: @escaping @Sendable () async -> A, _ b: @escaping @Sendable () async -> B
  ) async -> (A, B) {
    async let first: A = {
      try? await Task.sleep(for: .microseconds(Int.random(in: 0...3000)))
      return await a()
    }()
    async let second: B = {
      try? await Task.sleep(for: .microseconds(Int.random(in: 0...3000)))
      return await b()
    }()
    return await (first, second)
  }

  static func placement(_ zk: ZooKeeper, _ uuid: String) async throws -> VMPlacement {
    try #require(try await ConditionalPlacement(zookeeper: zk).read(uuid))
  }

  static func reset(_ zk: ZooKeeper, _ uuid: String, node: String, state: VMState = .start) async throws {
    let ref = try Layout.domain(uuid)
    try await zk.multi([
      .set(ref.path(.state), state.rawValue), .set(ref.path(.node), node), .set(ref.path(.lastNode), ""),
      .set(ref.path(.autostart), "False"),
    ])
    try await zk.set(try Layout.node("hv1").path(.domainState), "ready")
  }

  @Test("a user's migrate racing a flush: kept when it succeeded, refused with an error when the flush won")
  func migrateAgainstFlush() async throws {
    let (cluster, zk) = try await Self.cluster()
    defer { Task { await cluster.close() } }
    let uuid = UpstreamSeeder.uuid(1)  // on hv1
    var kept = 0
    var refused = 0
    for _ in 0..<Self.rounds {
      try await Self.reset(zk, uuid, node: "hv1")
      let evacuation = NodeEvacuation(zookeeper: zk, node: "hv1", logger: Logger(label: "test"))
      let (user, _) = await Self.race(
        {
          await Result {
            try await cluster.vms.migrate(
              UpstreamSeeder.name(1), to: "hv3", force: false, forceLive: false, wait: false)
          }
        },
        { try? await evacuation.flush(window: 4, timeout: .milliseconds(20)) })
      let final = try await Self.placement(zk, uuid)
      switch user {
      case .success:
        #expect(final.node == "hv3", "the user's migrate succeeded but the VM is on \(final.node)")
        kept += 1
      case .failure(let error):
        #expect(error is VMError, "\(error)")
        #expect(final.node != "hv1" && final.lastNode == "hv1", "neither the flush nor the user moved it")
        refused += 1
      }
      #expect(final.lastNode == "hv1")
    }
    #expect(kept + refused == Self.rounds)
  }

  @Test("a user's stop racing a fence recovery: a stop that succeeded is never undone by the recovery")
  func stopAgainstRecovery() async throws {
    let (cluster, zk) = try await Self.cluster()
    defer { Task { await cluster.close() } }
    let uuid = UpstreamSeeder.uuid(2)  // on hv2
    for _ in 0..<Self.rounds {
      try await Self.reset(zk, uuid, node: "hv2")
      let evacuation = NodeEvacuation(zookeeper: zk, node: "hv2", logger: Logger(label: "test"))
      let (user, _) = await Self.race(
        { await Result { try await cluster.vms.stop(UpstreamSeeder.name(2)) } },
        { try? await evacuation.recover() })
      let final = try await Self.placement(zk, uuid)
      if case .success = user {
        #expect(final.state == .stop, "the user's stop succeeded but the VM is \(final.state) on \(final.node)")
      }
      #expect(final.state == .stop || final.node != "hv2", "the recovery lost the VM")
    }
  }

  @Test("a user's move racing an unflush: kept when it succeeded, never two decisions mixed")
  func moveAgainstUnflush() async throws {
    let (cluster, zk) = try await Self.cluster()
    defer { Task { await cluster.close() } }
    let uuid = UpstreamSeeder.uuid(4)  // on hv1; flushed to hv2 before each round
    for _ in 0..<Self.rounds {
      try await Self.reset(zk, uuid, node: "hv2")
      try await zk.set(try Layout.domain(uuid).path(.lastNode), "hv1")
      let evacuation = NodeEvacuation(zookeeper: zk, node: "hv1", logger: Logger(label: "test"))
      let (user, _) = await Self.race(
        {
          await Result { try await cluster.vms.move(UpstreamSeeder.name(4), to: "hv3", forceLive: false, wait: false) }
        },
        { try? await evacuation.unflush(window: 4, timeout: .milliseconds(20)) })
      let final = try await Self.placement(zk, uuid)
      switch user {
      case .success:
        #expect(
          final.node == "hv3" && final.lastNode == "", "the user's move succeeded but: \(final.node)/\(final.lastNode)")
      case .failure(let error):
        #expect(error is VMError, "\(error)")
      }
      #expect(["hv1", "hv3"].contains(final.node) && final.lastNode == "", "mixed: \(final.node)/\(final.lastNode)")
    }
  }

  @Test("state requests follow the rules as a pure function")
  func stateRules() {
    #expect(VMStateRules.decide(.start, current: .stop, force: false, vm: "a") == .write(.start))
    #expect(VMStateRules.decide(.restart, current: .start, force: false, vm: "a") == .write(.restart))
    #expect(
      VMStateRules.decide(.shutdown, current: .stop, force: false, vm: "a")
        == .refuse(.wrongState(vm: "a", state: .stop, needed: "only a started VM can be shutdowned")))
    #expect(VMStateRules.decide(.disable, current: .start, force: false, vm: "a") == .shutdownThenDisable)
    #expect(VMStateRules.decide(.disable, current: .start, force: true, vm: "a") == .stopThenDisable)
    #expect(VMStateRules.decide(.disable, current: .stop, force: false, vm: "a") == .write(.disable))
    #expect(
      VMStateRules.decide(.start, current: .mirror, force: false, vm: "a")
        == .refuse(.mirrorNotForced(vm: "a", action: "start")))
    #expect(VMStateRules.decide(.start, current: .mirror, force: true, vm: "a") == .write(.start))
  }
}

extension Result where Failure == any Error {
  /// The result of an async throwing body.
  init(_ body: () async throws -> Success) async {
    do {
      self = .success(try await body())
    } catch {
      self = .failure(error)
    }
  }
}
