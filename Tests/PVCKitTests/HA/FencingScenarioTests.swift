import PVCKit
import Testing

/// HA scenarios on a virtual clock: the fencing decisions against simulated
/// failures, each with the events it must log, and always: no VM on two nodes.
@Suite("HA scenarios (virtual clock)")
struct FencingScenarioTests {
  static let aggressive = FencePolicy(
    interval: .seconds(1), fenceIntervals: 3, savingThrows: 2, selfFenceIntervals: 4, migrateAfterFence: true,
    migrateAfterFailedFence: true, retryInterval: .seconds(5))

  /// The aggressive timers with self-fencing backed by a 3-second watchdog.
  static let guarded: FencePolicy = {
    var policy = aggressive
    policy.watchdogTimeout = .seconds(3)
    return policy
  }()

  /// Three coordinators, two VMs each.
  static func cluster(policy: FencePolicy = aggressive) -> ClusterSimulator {
    var sim = ClusterSimulator(nodes: ["hv1", "hv2", "hv3"], policy: policy)
    for (index, node) in ["hv1", "hv2", "hv3"].enumerated() {
      sim.addVM("vm\(index * 2 + 1)", on: node)
      sim.addVM("vm\(index * 2 + 2)", on: node)
    }
    sim.run(for: .seconds(2))
    return sim
  }

  /// Checks the invariants every scenario shares.
  static func expectSafe(_ sim: ClusterSimulator, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(
      sim.violations.isEmpty, "a VM ran on two nodes: \(sim.violations)\n\(sim.log.joined(separator: "\n"))",
      sourceLocation: sourceLocation)
    for vm in sim.vms.values where vm.state == .start {
      #expect(
        sim.runningNodes(of: vm.uuid).count == 1, "\(vm.uuid) lost\n\(sim.log.joined(separator: "\n"))",
        sourceLocation: sourceLocation)
    }
  }

  static func ordered(_ sim: ClusterSimulator, _ events: String..., sourceLocation: SourceLocation = #_sourceLocation) {
    let times = events.map { sim.time(of: $0) }
    #expect(
      !times.contains(nil),
      "missing events \(zip(events, times).filter { $0.1 == nil }.map(\.0))\n\(sim.log.joined(separator: "\n"))",
      sourceLocation: sourceLocation)
    let values = times.compactMap { $0 }
    #expect(
      values == values.sorted(),
      "events out of order: \(zip(events, times).map { "\($0)@\($1 ?? -1)" })\n\(sim.log.joined(separator: "\n"))",
      sourceLocation: sourceLocation)
  }

  @Test("1. a healthy cluster fences nobody")
  func healthy() {
    var sim = Self.cluster()
    sim.run(for: .seconds(60))
    #expect(!sim.logged("dead"))
    Self.expectSafe(sim)
  }

  @Test("2. a node losing power is fenced and its VMs run elsewhere")
  func powerLoss() {
    var sim = Self.cluster()
    sim.powerLoss("hv2")
    sim.run(for: .seconds(30))
    Self.ordered(sim, "hv2 loses power", "hv2 marked dead", "hv2 fenced", "vm3 recovered", "vm4 recovered")
    #expect(sim.vms["vm3"]!.lastNode == "hv2")
    #expect(sim.runningNodes(of: "vm3") != ["hv2"])
    Self.expectSafe(sim)
  }

  @Test("3. a crashed pvcd gets its node power-cycled; its guests are stopped before they start elsewhere")
  func daemonCrash() {
    var sim = Self.cluster()
    sim.crashDaemon("hv3")
    sim.run(for: .seconds(30))
    Self.ordered(sim, "hv3 pvcd crashes", "hv3 marked dead", "hv3 powered off by IPMI", "vm5 recovered", "hv3 boots")
    Self.expectSafe(sim)
  }

  @Test("4. a hung pvcd (session alive, no heartbeat) is fenced")
  func daemonHang() {
    var sim = Self.cluster()
    sim.hangDaemon("hv2")
    sim.run(for: .seconds(30))
    Self.ordered(sim, "hv2 pvcd hangs", "hv2 marked dead", "hv2 powered off by IPMI", "hv2 fenced", "vm4 recovered")
    #expect(!sim.logged("hv2 session expires"))
    Self.expectSafe(sim)
  }

  @Test("5. a node cut from the network with IPMI working is powered off, then its VMs move")
  func networkCutIPMIWorks() {
    var sim = Self.cluster()
    sim.cutNetwork("hv1")
    sim.run(for: .seconds(30))
    Self.ordered(sim, "hv1 network cut", "hv1 marked dead", "hv1 powered off by IPMI", "vm1 recovered")
    Self.expectSafe(sim)
  }

  @Test("6. network cut and IPMI unreachable: the node self-fences, then the cluster recovers its VMs")
  func networkCutSelfFence() {
    var sim = Self.cluster(policy: Self.guarded)
    sim.nodes["hv1"]!.ipmi = .unreachable
    sim.cutNetwork("hv1")
    sim.run(for: .seconds(40))
    Self.ordered(sim, "hv1 network cut", "hv1 self-fences", "has self-fenced", "vm1 recovered")
    Self.ordered(sim, "hv1 marked dead", "fence of hv1 failed", "has self-fenced")
    Self.ordered(sim, "hv1 session expires", "has self-fenced")
    #expect(sim.time(of: "hv1 self-fences")! < sim.time(of: "vm1 recovered")!)
    Self.expectSafe(sim)
  }

  @Test("7. network cut, IPMI unreachable, no self-fencing: VMs stay put (never two copies)")
  func networkCutNoSelfFence() {
    var policy = Self.aggressive
    policy.selfFenceIntervals = 0
    var sim = Self.cluster(policy: policy)
    sim.nodes["hv1"]!.ipmi = .unreachable
    sim.cutNetwork("hv1")
    sim.run(for: .seconds(60))
    #expect(sim.logged("fence of hv1 failed"))
    #expect(!sim.logged("recovered"))
    #expect(sim.runningNodes(of: "vm1") == ["hv1"])
    #expect(sim.violations.isEmpty)
  }

  @Test("8. network cut, IPMI unreachable, failed fence action none: VMs stay put")
  func failedFenceActionNone() {
    var policy = Self.aggressive
    policy.migrateAfterFailedFence = false
    var sim = Self.cluster(policy: policy)
    sim.nodes["hv2"]!.ipmi = .unreachable
    sim.cutNetwork("hv2")
    sim.run(for: .seconds(60))
    #expect(sim.logged("hv2 self-fences"))
    #expect(!sim.logged("vm3 recovered"))
    #expect(sim.violations.isEmpty)
  }

  @Test("9. a wrong IPMI password fails the fence; the powered, running node keeps its VMs")
  func wrongPassword() {
    var policy = Self.aggressive
    policy.migrateAfterFailedFence = false
    var sim = Self.cluster(policy: policy)
    sim.nodes["hv3"]!.ipmi = .wrongPassword
    sim.hangDaemon("hv3")
    sim.run(for: .seconds(30))
    #expect(sim.logged("fence of hv3 failed: IPMI of node hv3 failed: wrong password"))
    #expect(sim.runningNodes(of: "vm5") == ["hv3"])
    #expect(sim.violations.isEmpty)
  }

  @Test("10. a fence that fails is retried, succeeds, and then recovers the VMs")
  func fenceFailsThenSucceeds() {
    var sim = Self.cluster()
    sim.nodes["hv2"]!.ipmi = .failsTimes(1)
    sim.crashDaemon("hv2")
    sim.run(for: .seconds(40))
    Self.ordered(
      sim, "fence of hv2 failed", "retrying the fence of node hv2", "hv2 powered off by IPMI", "hv2 fenced",
      "vm3 recovered")
    Self.expectSafe(sim)
  }

  @Test("11. IPMI that leaves the power on fails the fence; nothing moves")
  func stuckPower() {
    var policy = Self.aggressive
    policy.migrateAfterFailedFence = false
    var sim = Self.cluster(policy: policy)
    sim.nodes["hv1"]!.ipmi = .stuckOn
    sim.hangDaemon("hv1")
    sim.run(for: .seconds(30))
    #expect(sim.logged("still has power after the power-off"))
    #expect(!sim.logged("vm1 recovered"))
    #expect(sim.violations.isEmpty)
  }

  @Test("12. two nodes dying together are both fenced; the survivor takes what fits")
  func twoNodesDie() {
    var sim = ClusterSimulator(nodes: ["hv1", "hv2", "hv3"], policy: Self.aggressive)
    for node in ["hv1", "hv2", "hv3"] { sim.nodes[node]!.memory = 4096 }
    for (index, node) in ["hv1", "hv2", "hv3"].enumerated() {
      sim.addVM("vm\(index * 2 + 1)", on: node, memory: 1024)
      sim.addVM("vm\(index * 2 + 2)", on: node, memory: 1024)
    }
    sim.run(for: .seconds(2))
    sim.powerLoss("hv2")
    sim.powerLoss("hv3")
    sim.run(for: .seconds(30))
    #expect(sim.logged("hv2 fenced") && sim.logged("hv3 fenced"))
    #expect(sim.logged("has nowhere to go"))
    let onSurvivor = sim.vms.values.filter { $0.node == "hv1" && $0.state == .start }.count
    #expect(onSurvivor == 4)
    Self.expectSafe(sim)
  }

  @Test("13. a node silent for less than the dead time is left alone")
  func briefSilence() {
    var sim = Self.cluster()
    sim.cutNetwork("hv2")
    sim.run(for: .seconds(2))
    sim.restoreNetwork("hv2")
    sim.run(for: .seconds(30))
    #expect(!sim.logged("hv2 marked dead"))
    Self.expectSafe(sim)
  }

  @Test("14. a flapping node that returns during its saving throws is not fenced")
  func flapping() {
    var sim = Self.cluster()
    for _ in 0..<3 {
      sim.cutNetwork("hv3")
      sim.run(for: .seconds(5))
      sim.restoreNetwork("hv3")
      sim.run(for: .seconds(4))
    }
    #expect(sim.logged("hv3 marked dead"))
    #expect(sim.logged("came back during its saving throws"))
    #expect(!sim.logged("hv3 fenced"))
    Self.expectSafe(sim)
  }

  @Test("15. maintenance mode suspends fencing; leaving it resumes fencing")
  func maintenance() {
    var sim = Self.cluster()
    sim.maintenance = true
    sim.powerLoss("hv2")
    sim.run(for: .seconds(30))
    #expect(!sim.logged("hv2 marked dead"))
    sim.maintenance = false
    sim.run(for: .seconds(30))
    Self.ordered(sim, "hv2 marked dead", "hv2 fenced", "vm3 recovered")
    Self.expectSafe(sim)
  }

  @Test("16. when the fencing coordinator dies, the next one fences it")
  func fencerDies() {
    var sim = Self.cluster()
    #expect(sim.fencer == "hv1")
    sim.powerLoss("hv1")
    sim.run(for: .seconds(30))
    Self.ordered(sim, "fencer is now hv2", "hv1 marked dead", "hv1 fenced", "vm1 recovered")
    Self.expectSafe(sim)
  }

  @Test("17. losing the ZooKeeper leader pauses every node until the election ends; nobody is fenced")
  func zookeeperLeaderLoss() {
    var sim = Self.cluster()
    // An election as long as the session timeout: no session expires, since only a leader expires them.
    sim.loseZooKeeperLeader(election: .seconds(3))
    sim.run(for: .seconds(30))
    Self.ordered(sim, "ZooKeeper leader lost", "ZooKeeper leader elected")
    #expect(!sim.logged("session expires"))
    #expect(!sim.logged("marked dead"))
    #expect(!sim.logged("self-fences"))
    Self.expectSafe(sim)
  }

  @Test("18. a node partitioned with a ZooKeeper minority loses its session and is fenced over IPMI")
  func minorityLoss() {
    var sim = Self.cluster()
    sim.partitionIntoZooKeeperMinority("hv3")
    sim.run(for: .seconds(30))
    Self.ordered(sim, "hv3 marked dead", "hv3 powered off by IPMI", "vm5 recovered")
    #expect(sim.logged("hv3 session expires"))
    Self.expectSafe(sim)
  }

  @Test("19. a VM limited to the dead node is parked with autostart")
  func limitedVM() {
    var sim = ClusterSimulator(nodes: ["hv1", "hv2", "hv3"], policy: Self.aggressive)
    sim.addVM("pinned", on: "hv2", limit: ["hv2"])
    sim.addVM("free", on: "hv2")
    sim.run(for: .seconds(2))
    sim.powerLoss("hv2")
    sim.run(for: .seconds(30))
    #expect(sim.vms["pinned"]!.state == .stop && sim.vms["pinned"]!.autostart)
    #expect(sim.vms["free"]!.node != "hv2")
    Self.expectSafe(sim)
  }

  @Test("20. recovered VMs spread over the survivors instead of piling on one")
  func spreading() {
    var sim = ClusterSimulator(nodes: ["hv1", "hv2", "hv3"], policy: Self.aggressive)
    for index in 1...6 { sim.addVM("vm\(index)", on: "hv3", memory: 2048) }
    sim.run(for: .seconds(2))
    sim.powerLoss("hv3")
    sim.run(for: .seconds(30))
    let onHV1 = sim.vms.values.filter { $0.node == "hv1" }.count
    let onHV2 = sim.vms.values.filter { $0.node == "hv2" }.count
    #expect(onHV1 == 3 && onHV2 == 3)
    Self.expectSafe(sim)
  }

  @Test("21. the VM's selector is honoured during recovery")
  func selectorHonoured() {
    var sim = ClusterSimulator(nodes: ["hv1", "hv2", "hv3"], policy: Self.aggressive)
    sim.addVM("a", on: "hv1")
    sim.addVM("b", on: "hv1")
    sim.addVM("busy", on: "hv2")
    sim.addVM("lonely", on: "hv3", selector: .vms)
    sim.run(for: .seconds(2))
    sim.nodes["hv2"]!.memory = 100_000  // most free memory, but more VMs
    sim.powerLoss("hv3")
    sim.run(for: .seconds(30))
    #expect(sim.vms["lonely"]!.node == "hv2")  // hv2 has 1 VM, hv1 has 2
    Self.expectSafe(sim)
  }

  @Test("22. a hypervisor (not a coordinator) is fenced by a coordinator")
  func hypervisorFenced() {
    var sim = ClusterSimulator(
      nodes: ["hv1", "hv2", "hv3", "hv4"], coordinators: ["hv1", "hv2", "hv3"], policy: Self.aggressive)
    sim.addVM("w1", on: "hv4")
    sim.run(for: .seconds(2))
    sim.powerLoss("hv4")
    sim.run(for: .seconds(30))
    Self.ordered(sim, "hv4 marked dead", "hv4 fenced", "w1 recovered")
    Self.expectSafe(sim)
  }

  @Test("23. a fenced node that boots again rejoins without taking its VMs back")
  func fencedNodeReturns() {
    var sim = Self.cluster()
    sim.powerLoss("hv2")
    sim.run(for: .seconds(40))
    Self.ordered(sim, "hv2 fenced", "hv2 powered on", "hv2 boots")
    #expect(sim.daemonState["hv2"] == .run)
    #expect(sim.vms["vm3"]!.node != "hv2")
    Self.expectSafe(sim)
  }

  @Test("24. the fencing coordinator dying mid-fence: the next one finishes it safely")
  func fencerDiesMidFence() {
    var sim = Self.cluster()
    sim.powerLoss("hv3")
    sim.run(for: .seconds(4))
    sim.powerLoss("hv1")
    sim.run(for: .seconds(40))
    #expect(sim.logged("hv3 fenced") && sim.logged("hv1 fenced"))
    #expect(sim.vms.values.filter { $0.state == .start }.allSatisfy { $0.node == "hv2" })
    Self.expectSafe(sim)
  }

  @Test("25. self-fencing needs the full wait after the session expires")
  func selfFenceTiming() {
    var sim = Self.cluster(policy: Self.guarded)
    sim.nodes["hv2"]!.ipmi = .unreachable
    sim.cutNetwork("hv2")
    sim.run(for: .seconds(40))
    let expired = sim.time(of: "hv2 session expires")!
    let recovered = sim.time(of: "vm3 recovered")!
    #expect(recovered - expired >= 8)  // 4 s of self-fence, 3 s of watchdog, 1 s of margin
    Self.expectSafe(sim)
  }

  @Test("26. a node cut and IPMI failing once: the retry powers it off and recovery follows")
  func cutAndRetry() {
    var policy = Self.aggressive
    policy.selfFenceIntervals = 0
    var sim = Self.cluster(policy: policy)
    sim.nodes["hv1"]!.ipmi = .failsTimes(1)
    sim.cutNetwork("hv1")
    sim.run(for: .seconds(40))
    Self.ordered(sim, "fence of hv1 failed", "hv1 powered off by IPMI", "vm1 recovered")
    Self.expectSafe(sim)
  }

  @Test("27. with upstream's default timers the fence starts about a minute after death")
  func defaultTimers() {
    var sim = Self.cluster(policy: FencePolicy(interval: .seconds(5), fenceIntervals: 6))
    sim.powerLoss("hv2")
    sim.run(for: .seconds(120))
    let dead = sim.time(of: "hv2 marked dead")!
    let fenced = sim.time(of: "hv2 fenced")!
    #expect(dead >= 30 && dead <= 40)
    #expect(fenced - dead >= 30)
    Self.expectSafe(sim)
  }

  @Test("28. a crashed pvcd, IPMI unreachable, no watchdog: its guests keep running and are not started twice")
  func crashWithoutWatchdog() {
    var sim = Self.cluster()
    sim.nodes["hv2"]!.ipmi = .unreachable
    sim.crashDaemon("hv2")
    sim.run(for: .seconds(60))
    #expect(sim.logged("fence of hv2 failed"))
    #expect(!sim.logged("has self-fenced"))
    #expect(sim.runningNodes(of: "vm3") == ["hv2"])
    #expect(sim.violations.isEmpty)
  }

  @Test("29. a crashed pvcd, IPMI unreachable, with a watchdog: the node resets and restarts its own VMs")
  func crashWithWatchdog() {
    var sim = Self.cluster(policy: Self.guarded)
    sim.nodes["hv2"]!.ipmi = .unreachable
    sim.crashDaemon("hv2")
    sim.run(for: .seconds(60))
    Self.ordered(sim, "hv2 pvcd crashes", "hv2 watchdog resets the node", "hv2 boots", "hv2 starts vm3")
    #expect(!sim.logged("vm3 recovered"))
    #expect(sim.runningNodes(of: "vm3") == ["hv2"])
    Self.expectSafe(sim)
  }

  @Test("30. a node whose VMs will not stop when it self-fences is reset by its watchdog")
  func stuckSelfFence() {
    var sim = Self.cluster(policy: Self.guarded)
    sim.nodes["hv3"]!.ipmi = .unreachable
    sim.nodes["hv3"]!.stopHangs = true
    sim.cutNetwork("hv3")
    sim.run(for: .seconds(60))
    Self.ordered(sim, "hv3 self-fences but its VMs do not stop", "hv3 watchdog resets the node", "vm5 recovered")
    Self.expectSafe(sim)
  }

  @Test("31. a hung pvcd with a watchdog: the node resets and comes back; every VM runs exactly once")
  func hangWithWatchdog() {
    var sim = Self.cluster(policy: Self.guarded)
    sim.hangDaemon("hv1")
    sim.run(for: .seconds(60))
    #expect(sim.logged("hv1 watchdog resets the node"))
    Self.expectSafe(sim)
    #expect(sim.vms.values.allSatisfy { sim.runningNodes(of: $0.uuid).count == 1 })
  }

  @Test("32. a user's stop between a recovery's plan and its writes is kept: the VM stays stopped")
  func stopRacingRecovery() {
    var sim = Self.cluster()
    sim.beforeRecoveryWrite = { sim in
      sim.vms["vm5"]!.state = .stop
      sim.record("user stops vm5")
    }
    sim.powerLoss("hv3")
    sim.run(for: .seconds(30))
    Self.ordered(sim, "hv3 fenced", "user stops vm5", "vm5 changed during the recovery", "vm6 recovered")
    #expect(sim.vms["vm5"]!.state == .stop && sim.runningNodes(of: "vm5").isEmpty)
    Self.expectSafe(sim)
  }

  @Test("33. a user's move of a dead node's VM during the recovery is not overwritten; it runs once")
  func moveRacingRecovery() {
    var sim = Self.cluster()
    sim.beforeRecoveryWrite = { sim in
      sim.vms["vm6"]!.node = "hv1"
      sim.record("user moves vm6 to hv1")
    }
    sim.powerLoss("hv3")
    sim.run(for: .seconds(30))
    Self.ordered(sim, "hv3 fenced", "user moves vm6 to hv1", "vm6 changed during the recovery")
    #expect(sim.vms["vm6"]!.node == "hv1" && sim.runningNodes(of: "vm6") == ["hv1"])
    Self.expectSafe(sim)
  }
}
