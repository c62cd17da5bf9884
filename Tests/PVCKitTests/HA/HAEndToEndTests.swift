import Foundation
import PVCKit
import PVCKitFixtures
import Testing

/// High availability on real machines: three nodes (namespaces with libvirtd
/// and pvcd), the 3-server ZooKeeper ensemble, and one IPMI simulator per node
/// whose power control really kills the node. Run alone (phase 3 of `make
/// test`): these tests pull plugs and cut cables.
@Suite("HA end to end", .serialized)
struct HAEndToEndTests {
  /// Aggressive timers: 1 s keepalive, dead after 3 silent intervals, 2 saving throws.
  static func configuration(
    selfFenceIntervals: Int = 0, failedFence: String = "none", watchdog: String? = nil, flushWindow: Int = 4,
    ceph: Bool = false
  ) -> String {
    var fencing = SimulatedNodeConfiguration.Fencing()
    fencing.fenceIntervals = 3
    fencing.savingThrows = 2
    fencing.selfFenceIntervals = selfFenceIntervals
    fencing.failedFenceAction = failedFence
    fencing.ipmiHostname = SimulatedNodes.ipmiHostname
    fencing.watchdogDevice = watchdog
    return SimulatedNodeConfiguration.text(
      nodeNet: NodeCluster.nodeNet, fencing: fencing, flushWindow: flushWindow,
      ceph: ceph ? TestServices.cephConfiguration : nil)
  }

  static let floating = "\(NodeCluster.nodeNet).250"

  /// Runs `body` on a fresh cluster on the ensemble; repairs every node afterwards.
  static func withCluster(
    selfFenceIntervals: Int = 0, failedFence: String = "none", watchdog: String? = nil, flushWindow: Int = 4,
    ceph: Bool = false, name: String = #function, _ body: (NodeCluster) async throws -> Void
  ) async throws {
    // Nodes are repaired before the cluster stops: stopping talks to every node.
    func repair() { for node in ["hv1", "hv2", "hv3"] { try? SimulatedNodes.repair(node) } }
    try await NodeCluster.with(
      on: TestServices.ensemble,
      configuration: configuration(
        selfFenceIntervals: selfFenceIntervals, failedFence: failedFence, watchdog: watchdog, flushWindow: flushWindow,
        ceph: ceph),
      name: name
    ) { nodes in
      do {
        #expect(try await eventually(timeout: .seconds(20)) { try await nodes.cluster.nodes.primary() != nil })
        try await body(nodes)
      } catch {
        repair()
        throw error
      }
      repair()
    }
  }

  /// Defines a started guest on `node` and waits until it runs there.
  static func guest(_ nodes: NodeCluster, on node: String, prefix: String) async throws -> (name: String, uuid: String)
  {
    let uuid = UUID().uuidString.lowercased()
    let name = "\(prefix)-\(uuid.prefix(6))"
    _ = try await nodes.cluster.vms.define(
      VMDefinition(xml: TestGuests.xml(name: name, uuid: uuid), node: node, initialState: .start))
    #expect(try await eventually(timeout: .seconds(30)) { SimulatedNodes.hosts(of: uuid) == [node] })
    return (name, uuid)
  }

  /// A node other than the primary.
  static func nonPrimary(_ nodes: NodeCluster) async throws -> String {
    let primary = try await nodes.cluster.nodes.primary()
    return ["hv3", "hv2", "hv1"].first { $0 != primary }!
  }

  @Test("one primary holds the floating address; moving the role or stopping the primary hands it over")
  func primaryHandover() async throws {
    try await Self.withCluster { nodes in
      let first = try #require(try await nodes.cluster.nodes.primary())
      #expect(try await eventually { SimulatedNodes.holds(Self.floating, first) })
      // The address comes up during takeover; the state reads `primary` once takeover ends.
      @Sendable func leaders() async throws -> [String] {
        try await nodes.cluster.nodes.list().map { "\($0.name):\($0.coordinatorState.rawValue)" }
          .filter { $0.hasSuffix(":primary") || $0.hasSuffix(":takeover") }
      }
      let settled = try await eventually { try await leaders() == ["\(first):primary"] }
      let leading = try await leaders()
      #expect(settled, "\(leading)")

      let target = first == "hv2" ? "hv3" : "hv2"
      let start = ContinuousClock.now
      _ = try await nodes.cluster.nodes.setCoordinatorState(target, .primary, wait: true)
      let moved = ContinuousClock.now - start
      #expect(try await nodes.cluster.nodes.primary() == target)
      #expect(try await eventually { SimulatedNodes.holds(Self.floating, target) })
      #expect(!SimulatedNodes.holds(Self.floating, first))
      print("HA figure: primary moved \(first) -> \(target) in \(moved)")

      // A graceful stop of the primary hands the role on.
      nodes.stopDaemon(target)
      let next = try await nodes.cluster.nodes.primary()
      #expect(next != nil && next != target)
      #expect(!SimulatedNodes.holds(Self.floating, target))
      if let next { #expect(try await eventually { SimulatedNodes.holds(Self.floating, next) }) }
      #expect(try await nodes.cluster.nodes.info(target).daemonState == .stop)
    }
  }

  @Test("killing the primary's daemon: another coordinator takes over, and the node is fenced")
  func primaryKilled() async throws {
    try await Self.withCluster { nodes in
      let first = try #require(try await nodes.cluster.nodes.primary())
      let pid = try #require(try SimulatedNodes.daemonPID(on: first, tag: nodes.tag))
      let start = ContinuousClock.now
      kill(pid, SIGKILL)
      #expect(
        try await eventually(timeout: .seconds(30)) {
          let now = try await nodes.cluster.nodes.primary()
          return now != nil && now != first
        })
      let next = try await nodes.cluster.nodes.primary()!
      #expect(try await eventually { SimulatedNodes.holds(Self.floating, next) })
      print("HA figure: primary \(first) killed, \(next) primary after \(ContinuousClock.now - start)")
      // The killed node is fenced (its pvcd is gone, so IPMI power-cycles it) and comes back.
      #expect(
        try await eventually(timeout: .seconds(40)) {
          try await nodes.cluster.faults.list().contains { $0.id == "DEAD_NODE_\(first)" }
        })
    }
  }

  @Test("a node that loses power is fenced over IPMI and its VMs run elsewhere, once")
  func powerLoss() async throws {
    try await Self.withCluster { nodes in
      let victim = try await Self.nonPrimary(nodes)
      let a = try await Self.guest(nodes, on: victim, prefix: "pl")
      let b = try await Self.guest(nodes, on: victim, prefix: "pl")
      let watch = TwoCopiesWatch([a.uuid, b.uuid])
      let start = ContinuousClock.now
      // The fenced state lasts only until the node boots again: catch it with a watch.
      let zookeeper = try #require(nodes.cluster.zookeeper)
      let statePath = try Layout.node(victim).path(.daemonState)
      let fencedAt = Task {
        for await value in zookeeper.watchData(statePath) where value?.string == "fenced" {
          return Optional(ContinuousClock.now - start)
        }
        return nil
      }
      try SimulatedNodes.powerOff(victim)
      var recovered: Duration?
      while recovered == nil && ContinuousClock.now - start < .seconds(60) {
        let hosts = [SimulatedNodes.hosts(of: a.uuid), SimulatedNodes.hosts(of: b.uuid)]
        if hosts.allSatisfy({ $0.count == 1 && $0[0] != victim }) { recovered = ContinuousClock.now - start }
        try await Task.sleep(for: .milliseconds(100))
      }
      let timer = Task {
        try? await Task.sleep(for: .seconds(5))
        fencedAt.cancel()
      }
      let fenced = await fencedAt.value
      timer.cancel()
      #expect(fenced != nil && recovered != nil)
      print(
        "HA figure: power loss of \(victim): fenced after \(fenced.map { "\($0)" } ?? "?"), VMs running elsewhere after \(recovered.map { "\($0)" } ?? "?")"
      )
      #expect(try await nodes.cluster.vms.info(a.name).lastNode == victim)
      #expect(try await nodes.cluster.faults.list().contains { $0.id == "DEAD_NODE_\(victim)" })
      // The fencer powered it back on: it rejoins without taking its VMs back.
      #expect(
        try await eventually(timeout: .seconds(60)) { try await nodes.cluster.nodes.info(victim).daemonState == .run })
      #expect(SimulatedNodes.hosts(of: a.uuid) != [victim])
      #expect(watch.stop().isEmpty)
    }
  }

  @Test(
    "a node that loses power while its VM holds an RBD lock: the lock is broken once it is fenced, the VM runs elsewhere"
  )
  func powerLossWithRBDLock() async throws {
    try await Self.withCluster(ceph: true) { nodes in
      let victim = try await Self.nonPrimary(nodes)
      let vm = try await RBDDiskEndToEndTests.guest(nodes, on: victim)
      #expect(try await eventually(timeout: .seconds(30)) { SimulatedNodes.hosts(of: vm.uuid) == [victim] })
      // The lock a writing QEMU holds, taken from the victim's address.
      let added = try RBDDiskEndToEndTests.rbd(["lock", "add", "vms/\(vm.volume)", "writer"], on: victim)
      #expect(added.status == 0, "\(added.output)")
      let zookeeper = try #require(nodes.cluster.zookeeper)
      try SimulatedNodes.powerOff(victim)
      // While the victim is not yet known to be off, the lock stays.
      #expect(try RBDDiskEndToEndTests.rbd(["lock", "ls", "vms/\(vm.volume)"]).output.contains("writer"))
      let moved = try await eventually(timeout: .seconds(60)) {
        let hosts = SimulatedNodes.hosts(of: vm.uuid)
        return hosts.count == 1 && hosts[0] != victim
      }
      let state = try await nodes.cluster.vms.info(vm.name)
      #expect(moved, "\(state.state) \(state.failedReason)")
      #expect(!(try RBDDiskEndToEndTests.rbd(["lock", "ls", "vms/\(vm.volume)"]).output.contains("writer")))
      let fenced = try await zookeeper.string(try Layout.node(victim).path(.daemonState))
      #expect(["fenced", "dead", "init", "run"].contains(fenced ?? ""))
      #expect(
        try await eventually(timeout: .seconds(60)) { try await nodes.cluster.nodes.info(victim).daemonState == .run })
      try await nodes.cluster.vms.setState(vm.name, .stop, force: false, wait: true)
      try await RBDDiskEndToEndTests.removeWithDisks(nodes, vm.name)
    }
  }

  @Test("a node cut from the network is powered off over IPMI before its VM starts elsewhere")
  func networkCut() async throws {
    try await Self.withCluster { nodes in
      let victim = try await Self.nonPrimary(nodes)
      let vm = try await Self.guest(nodes, on: victim, prefix: "cut")
      let watch = TwoCopiesWatch([vm.uuid])
      try SimulatedNodes.cut(victim)
      #expect(
        try await eventually(timeout: .seconds(60)) {
          let hosts = SimulatedNodes.hosts(of: vm.uuid)
          return hosts.count == 1 && hosts[0] != victim
        })
      #expect(try !SimulatedNodes.hasPower(victim) || SimulatedNodes.guests(on: victim).isEmpty)
      #expect(watch.stop().isEmpty)
    }
  }

  @Test("a cut node whose IPMI does not answer stops its own VMs; without a watchdog they are not restarted elsewhere")
  func selfFence() async throws {
    try await Self.withCluster(selfFenceIntervals: 4, failedFence: "migrate") { nodes in
      let victim = try await Self.nonPrimary(nodes)
      let vm = try await Self.guest(nodes, on: victim, prefix: "sf")
      let watch = TwoCopiesWatch([vm.uuid])
      try SimulatedNodes.stopBMC(victim)
      try SimulatedNodes.cut(victim)
      // The node notices it lost ZooKeeper and, 4 s later, stops the guest.
      #expect(try await eventually(timeout: .seconds(30)) { SimulatedNodes.guests(on: victim).isEmpty })
      #expect(
        try await eventually(timeout: .seconds(30)) {
          try await nodes.cluster.faults.list().contains { $0.id == "FENCE_FAILED_\(victim)" }
        })
      // No watchdog: the cluster cannot be sure, so the VM stays assigned to the node.
      try await Task.sleep(for: .seconds(5))
      #expect(try await nodes.cluster.vms.info(vm.name).node == victim)
      #expect(SimulatedNodes.hosts(of: vm.uuid).isEmpty)
      #expect(watch.stop().isEmpty)
    }
  }

  @Test("with a watchdog, a cut node's guests run elsewhere once it has stopped them itself, IPMI or not")
  func selfFenceWithWatchdog() async throws {
    // A plain file stands in for the watchdog device: pvcd feeds it; the cluster trusts its timeout (2 s).
    let watchdog = FileManager.default.temporaryDirectory.appendingPathComponent("pvckit-watchdog-\(UUID().uuidString)")
    try Data().write(to: watchdog)
    defer { try? FileManager.default.removeItem(at: watchdog) }
    try await Self.withCluster(selfFenceIntervals: 4, failedFence: "migrate", watchdog: watchdog.path) { nodes in
      let victim = try await Self.nonPrimary(nodes)
      let vm = try await Self.guest(nodes, on: victim, prefix: "wd")
      #expect(try Data(contentsOf: watchdog).count > 0, "pvcd feeds its watchdog")
      let watch = TwoCopiesWatch([vm.uuid])
      try SimulatedNodes.stopBMC(victim)
      let start = ContinuousClock.now
      try SimulatedNodes.cut(victim)
      #expect(
        try await eventually(timeout: .seconds(40)) {
          let info = try await nodes.cluster.vms.info(vm.name)
          return info.node != victim && SimulatedNodes.hosts(of: vm.uuid) == [info.node]
        })
      print("HA figure: cut node without IPMI, its VM ran elsewhere after \(ContinuousClock.now - start)")
      #expect(SimulatedNodes.guests(on: victim).isEmpty)
      #expect(try await nodes.cluster.faults.list().contains { $0.id == "FENCE_FAILED_\(victim)" })
      #expect(watch.stop().isEmpty)
    }
  }

  @Test("flush moves running guests away live; ready brings them back")
  func flushAndReady() async throws {
    try await Self.withCluster { nodes in
      let guests = [
        try await Self.guest(nodes, on: "hv1", prefix: "fl"), try await Self.guest(nodes, on: "hv1", prefix: "fl"),
        try await Self.guest(nodes, on: "hv1", prefix: "fl"),
      ]
      let watch = TwoCopiesWatch(guests.map(\.uuid))
      let start = ContinuousClock.now
      #expect(try await nodes.cluster.nodes.setDomainState("hv1", .flush, wait: true) == "Node hv1 is flushed.")
      print("HA figure: flush of 3 running guests took \(ContinuousClock.now - start)")
      for guest in guests {
        let info = try await nodes.cluster.vms.info(guest.name)
        #expect(info.state == .start && info.node != "hv1" && info.lastNode == "hv1")
        #expect(SimulatedNodes.hosts(of: guest.uuid) == [info.node])
      }
      #expect(try await nodes.cluster.nodes.info("hv1").domainState == .flushed)
      #expect(try await nodes.cluster.nodes.setDomainState("hv1", .ready, wait: true) == "Node hv1 is ready.")
      for guest in guests {
        #expect(try await eventually { SimulatedNodes.hosts(of: guest.uuid) == ["hv1"] })
        #expect(try await nodes.cluster.vms.info(guest.name).lastNode == "")
      }
      #expect(watch.stop().isEmpty)
    }
  }

  @Test(
    "a daemon stopped during a flush lets the move under way finish, hands the rest back, and goes on at its next start"
  )
  func stopDuringFlush() async throws {
    try await Self.withCluster(flushWindow: 1) { nodes in
      let node = try await Self.nonPrimary(nodes)
      var started: [(name: String, uuid: String)] = []
      for _ in 1...4 { started.append(try await Self.guest(nodes, on: node, prefix: "gs")) }
      let guests = started
      let watch = TwoCopiesWatch(guests.map(\.uuid))
      _ = try await nodes.cluster.nodes.setDomainState(node, .flush, wait: false)
      // One VM at a time: stop the daemon while the first move is under way.
      #expect(
        try await eventually(timeout: .seconds(30)) {
          for guest in guests where try await nodes.cluster.vms.info(guest.name).state == .migrate { return true }
          return false
        })
      nodes.stopDaemon(node)
      #expect(nodes.daemonLog(node).contains("handed back"), "\(nodes.daemonLog(node).suffix(2000))")
      #expect(try await nodes.cluster.nodes.info(node).domainState == .flush)
      var moved = 0
      for guest in guests {
        // No move is left half done: each guest runs once, where ZooKeeper says.
        let info = try await nodes.cluster.vms.info(guest.name)
        #expect(info.state == .start)
        #expect(SimulatedNodes.hosts(of: guest.uuid) == [info.node])
        if info.node != node { moved += 1 }
      }
      #expect(moved >= 1 && moved < guests.count, "\(moved) of \(guests.count) moved before the stop")
      // The next start (with auto-ready) carries on with the flush instead of undoing it.
      try nodes.startDaemon(node)
      #expect(
        try await eventually(timeout: .seconds(90)) {
          try await nodes.cluster.nodes.info(node).domainState == .flushed
        })
      for guest in guests {
        #expect(try await eventually { SimulatedNodes.hosts(of: guest.uuid).first.map { $0 != node } ?? false })
      }
      #expect(watch.stop().isEmpty)
    }
  }
}
