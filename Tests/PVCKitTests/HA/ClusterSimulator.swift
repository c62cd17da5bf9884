import PVCKit

/// A simulated cluster on a virtual clock, driven by PVCKit's HA decisions
/// (``DeadNodeDetector``, ``FenceMachine``, ``RecoveryPlanner``, ``SelfFence``,
/// ``Placement``), for scenario tests. It models what the decisions act on:
/// power, network, daemons, IPMI, the ZooKeeper ensemble (a quorum that pauses
/// during a leader election, partitions that leave a node with a minority of
/// its servers) and sessions, and where VMs really run. Every tick it checks
/// that no VM runs on two nodes. It is a model, not the real thing: the same
/// behaviours run for real against ZooKeeper, libvirt and ipmi_sim in
/// `HAEndToEndTests` and `EnsembleFailoverTests`.
struct ClusterSimulator {
  /// How a node's IPMI behaves.
  enum IPMI: Equatable {
    case works
    case unreachable
    case wrongPassword
    /// Fails this many times, then works.
    case failsTimes(Int)
    /// Answers, but the power stays on.
    case stuckOn
  }

  struct Node {
    var name: String
    var coordinator: Bool
    var powered = true
    /// pvcd runs and keeps its heartbeat.
    var daemonRunning = true
    /// pvcd hangs: no heartbeat, but its session stays alive.
    var hung = false
    var network = true
    /// The node reaches a majority of the ZooKeeper servers (false: it is partitioned with a minority).
    var withQuorum = true
    var ipmi: IPMI = .works
    var running: Set<String> = []
    var lastContact: Duration = .zero
    var sessionAlive = true
    var memory = 16384
    var bootAt: Duration?
    /// When pvcd last fed the node's watchdog.
    var lastFed: Duration = .zero
    /// Stopping VMs hangs (a stuck libvirt), so self-fencing cannot stop them.
    var stopHangs = false
  }

  struct VM {
    var uuid: String
    var memory: Int
    var state: VMState
    var node: String
    var lastNode = ""
    var autostart = false
    var limit: [String] = []
    var selector: NodeSelector = .none
  }

  var now: Duration = .zero
  var nodes: [String: Node] = [:]
  var vms: [String: VM] = [:]
  var keepalive: [String: Int] = [:]
  var daemonState: [String: NodeDaemonState] = [:]
  var domainState: [String: NodeDomainState] = [:]
  var maintenance = false
  /// While the ZooKeeper servers elect a new leader, the ensemble serves nobody.
  var electionUntil: Duration?
  /// When the last election ended: the new leader gives every session a full timeout again.
  var electionEnded: Duration = .zero
  var policy: FencePolicy
  var sessionTimeout: Duration
  var fencer: String?
  var detector = DeadNodeDetector()
  var machines: [String: FenceMachine] = [:]
  var log: [String] = []
  var violations: [String] = []
  /// Runs between a recovery's plan and its writes, once (a user's request racing it).
  var beforeRecoveryWrite: ((inout ClusterSimulator) -> Void)?

  init(
    nodes names: [String], coordinators: Set<String>? = nil, policy: FencePolicy, sessionTimeout: Duration = .seconds(4)
  ) {
    self.policy = policy
    self.sessionTimeout = sessionTimeout
    for name in names {
      nodes[name] = Node(name: name, coordinator: coordinators?.contains(name) ?? true)
      keepalive[name] = 0
      daemonState[name] = .run
      domainState[name] = .ready
    }
  }

  /// Adds a running VM.
  mutating func addVM(
    _ uuid: String, on node: String, memory: Int = 1024, limit: [String] = [], selector: NodeSelector = .none
  ) {
    vms[uuid] = VM(uuid: uuid, memory: memory, state: .start, node: node, limit: limit, selector: selector)
    nodes[node]!.running.insert(uuid)
  }

  mutating func record(_ line: String) { log.append("t=\(now.components.seconds) \(line)") }

  // MARK: Faults to inject

  mutating func powerLoss(_ node: String) {
    nodes[node]!.powered = false
    nodes[node]!.running = []
    record("\(node) loses power")
  }

  mutating func crashDaemon(_ node: String) {
    nodes[node]!.daemonRunning = false
    record("\(node) pvcd crashes")
  }

  mutating func hangDaemon(_ node: String) {
    nodes[node]!.hung = true
    record("\(node) pvcd hangs")
  }

  mutating func cutNetwork(_ node: String) {
    nodes[node]!.network = false
    record("\(node) network cut")
  }

  mutating func restoreNetwork(_ node: String) {
    nodes[node]!.network = true
    record("\(node) network restored")
  }

  /// The ZooKeeper leader is lost: no server serves until the others have elected a new one.
  mutating func loseZooKeeperLeader(election: Duration) {
    electionUntil = now + election
    record("ZooKeeper leader lost")
  }

  /// The node stays powered and networked but reaches only a minority of the ZooKeeper servers.
  mutating func partitionIntoZooKeeperMinority(_ node: String) {
    nodes[node]!.withQuorum = false
    record("\(node) partitioned with a ZooKeeper minority")
  }

  /// Whether the ensemble serves (it has a leader).
  var ensembleServes: Bool { electionUntil.map { now >= $0 } ?? true }

  /// Whether the node's daemon can reach a serving ZooKeeper quorum.
  func hasZooKeeper(_ name: String) -> Bool {
    let node = nodes[name]!
    return node.powered && node.network && node.withQuorum && ensembleServes
  }

  // MARK: The clock

  /// Advances the clock second by second, running every part each tick.
  mutating func run(for duration: Duration) {
    let end = now + duration
    while now < end {
      now += .seconds(1)
      if let end = electionUntil, now >= end {
        electionUntil = nil
        electionEnded = now
        record("ZooKeeper leader elected")
      }
      tickNodes()
      tickSessions()
      tickFencer()
      checkInvariants()
    }
  }

  private mutating func tickNodes() {
    for name in nodes.keys.sorted() {
      var node = nodes[name]!
      guard node.powered else { continue }
      if let boot = node.bootAt, now >= boot {
        node.bootAt = nil
        node.daemonRunning = true
        node.hung = false
        node.lastFed = now
        node.lastContact = now
        daemonState[name] = .initializing
        record("\(name) boots; pvcd registers")
      }
      let daemonAlive = node.daemonRunning && !node.hung && node.bootAt == nil
      if hasZooKeeper(name) {
        if node.daemonRunning || node.hung { node.lastContact = now }
        if daemonAlive {
          keepalive[name]! += 1
          if daemonState[name] == .initializing || daemonState[name] == .dead { daemonState[name] = .run }
          reconcile(&node)
        }
      } else if daemonAlive, SelfFence.mustStopVMs(lostContactFor: now - node.lastContact, policy: policy),
        !node.running.isEmpty
      {
        if node.stopHangs {
          record("\(name) self-fences but its VMs do not stop")
        } else {
          record("\(name) self-fences: stops \(node.running.sorted().joined(separator: ","))")
          node.running = []
        }
      }
      let silence = hasZooKeeper(name) ? Duration.zero : now - node.lastContact
      if daemonAlive, SelfFence.feedsWatchdog(lostContactFor: silence, runningVMs: node.running.count, policy: policy) {
        node.lastFed = now
      }
      if let timeout = policy.watchdogTimeout, node.bootAt == nil, now - node.lastFed >= timeout {
        record("\(name) watchdog resets the node")
        node.running = []
        node.daemonRunning = false
        node.bootAt = now + .seconds(3)
      }
      nodes[name] = node
    }
  }

  /// The node's pvcd converging its VMs.
  private mutating func reconcile(_ node: inout Node) {
    for vm in vms.values.sorted(by: { $0.uuid < $1.uuid }) {
      let here = node.running.contains(vm.uuid)
      if vm.node == node.name && vm.state == .start && !here {
        node.running.insert(vm.uuid)
        record("\(node.name) starts \(vm.uuid)")
      } else if here && (vm.node != node.name || vm.state == .stop) {
        node.running.remove(vm.uuid)
        record("\(node.name) stops \(vm.uuid)")
      }
    }
  }

  private mutating func tickSessions() {
    // Sessions expire only on a leader, which starts every session's timeout anew after an election.
    guard ensembleServes else { return }
    for name in nodes.keys.sorted() where nodes[name]!.sessionAlive {
      let node = nodes[name]!
      let contactless = !hasZooKeeper(name) || (!node.daemonRunning && !node.hung)
      if contactless && now - max(node.lastContact, electionEnded) > sessionTimeout {
        nodes[name]!.sessionAlive = false
        record("\(name) session expires")
        if var machine = machines[name] {
          apply(machine.handle(.sessionExpired, now: now), to: name, machine: &machine)
          machines[name] = machine
        }
      }
    }
    for name in nodes.keys.sorted() where !nodes[name]!.sessionAlive {
      let node = nodes[name]!
      if hasZooKeeper(name) && (node.daemonRunning || node.hung) { nodes[name]!.sessionAlive = true }
    }
  }

  /// The one coordinator that fences (the first alive one, as the fence lock would pick).
  private mutating func tickFencer() {
    let candidate = nodes.values.filter { $0.coordinator && hasZooKeeper($0.name) && $0.daemonRunning && !$0.hung }
      .map(\.name).sorted().first
    if candidate != fencer {
      fencer = candidate
      detector = DeadNodeDetector()
      machines = [:]
      if let candidate { record("fencer is now \(candidate)") }
    }
    guard fencer != nil else { return }
    for name in nodes.keys.sorted() { detector.observe(name, keepalive: String(keepalive[name]!), at: now) }
    guard !maintenance else { return }
    for name in nodes.keys.sorted() where name != fencer {
      if var machine = machines[name] {
        let alive = (detector.silence(of: name, at: now) ?? .zero) < policy.interval
        apply(machine.handle(alive ? .alive : .tick, now: now), to: name, machine: &machine)
        machines[name] = machine.isFinished && machine.phase == .cancelled ? nil : machine
      } else if detector.isDead(
        name, daemonState: daemonState[name] == .dead ? .run : daemonState[name]!, at: now, interval: policy.interval,
        intervals: policy.fenceIntervals)
      {
        var machine = FenceMachine(
          node: name, policy: policy, now: now, sessionExpiredAt: nodes[name]!.sessionAlive ? nil : now)
        apply(machine.initialEffects, to: name, machine: &machine)
        machines[name] = machine
      }
    }
  }

  private mutating func apply(_ effects: [FenceEffect], to name: String, machine: inout FenceMachine) {
    var pending = effects
    while !pending.isEmpty {
      let effect = pending.removeFirst()
      switch effect {
      case .markDead:
        daemonState[name] = .dead
        record("\(name) marked dead")
      case .markFenced:
        daemonState[name] = .fenced
        record("\(name) fenced")
      case .powerOff, .queryPower:
        let status = ipmi(name, powerOff: effect == .powerOff)
        pending += machine.handle(.powerStatus(status), now: now)
      case .powerOn:
        nodes[name]!.powered = true
        nodes[name]!.daemonRunning = false
        nodes[name]!.bootAt = now + .seconds(3)
        nodes[name]!.lastFed = now
        record("\(name) powered on")
      case .recoverVMs:
        recover(from: name)
      case .reportFailure(let reason):
        record("fence of \(name) failed: \(reason)")
      case .log(let line):
        record(line)
      }
    }
  }

  private mutating func ipmi(_ name: String, powerOff: Bool) -> PowerStatus {
    switch nodes[name]!.ipmi {
    case .unreachable: return .unreachable("no answer")
    case .wrongPassword: return .unreachable("wrong password")
    case .stuckOn: return .on
    case .failsTimes(let n) where n > 0:
      nodes[name]!.ipmi = .failsTimes(n - 1)
      return .unreachable("no answer")
    case .works, .failsTimes:
      if powerOff && nodes[name]!.powered {
        nodes[name]!.powered = false
        nodes[name]!.running = []
        record("\(name) powered off by IPMI")
      }
      return nodes[name]!.powered ? .on : .off
    }
  }

  /// Hands a fenced node's VMs to other nodes (the fencer's recovery).
  private mutating func recover(from dead: String) {
    let candidates = nodes.values.filter { $0.name != dead }.sorted { $0.name < $1.name }.map { node in
      let used = vms.values.filter { $0.node == node.name }.reduce(0) { $0 + $1.memory }
      return NodeCandidate(
        name: node.name, daemonState: daemonState[node.name]!, domainState: domainState[node.name]!,
        memoryFree: node.memory - used, memoryUsed: used, memoryProvisioned: used, load: 0, vcpusAllocated: 0,
        domainCount: vms.values.filter { $0.node == node.name }.count)
    }
    let displaced = vms.values.filter { $0.node == dead && ($0.state == .start || $0.state.isMigrating) }
      .sorted { $0.uuid < $1.uuid }
      .map {
        DisplacedVM(
          uuid: $0.uuid, name: $0.uuid, memoryMiB: $0.memory, vcpus: 1, limit: $0.limit, selector: $0.selector)
      }
    let plan = RecoveryPlanner.plan(displaced, from: dead, nodes: candidates, clusterDefault: .mem)
    if let race = beforeRecoveryWrite {
      beforeRecoveryWrite = nil
      race(&self)
    }
    for decision in plan {
      // As NodeEvacuation: each write is checked against what the plan read; a VM changed
      // meanwhile is decided again, and left alone once it is no longer the dead node's to recover.
      let uuid: String =
        switch decision {
        case .move(let uuid, _), .park(let uuid): uuid
        }
      guard let vm = vms[uuid], vm.node == dead, vm.state == .start || vm.state.isMigrating else {
        record("\(uuid) changed during the recovery: left as it is")
        continue
      }
      switch decision {
      case .move(let uuid, let target):
        vms[uuid]!.node = target
        vms[uuid]!.lastNode = dead
        vms[uuid]!.state = .start
        record("\(uuid) recovered to \(target)")
      case .park(let uuid):
        vms[uuid]!.state = .stop
        vms[uuid]!.autostart = true
        record("\(uuid) has nowhere to go: stopped, autostart")
      }
    }
  }

  private mutating func checkInvariants() {
    var hostsOf: [String: [String]] = [:]
    for node in nodes.values {
      for uuid in node.running { hostsOf[uuid, default: []].append(node.name) }
    }
    for (uuid, hosts) in hostsOf where hosts.count > 1 {
      violations.append("t=\(now.components.seconds) \(uuid) runs on \(hosts.sorted().joined(separator: ", "))")
    }
  }

  /// Where a VM physically runs.
  func runningNodes(of uuid: String) -> [String] {
    nodes.values.filter { $0.running.contains(uuid) }.map(\.name).sorted()
  }

  /// Whether a log line containing `text` was recorded.
  func logged(_ text: String) -> Bool { log.contains { $0.contains(text) } }

  /// The time of the first log line containing `text`.
  func time(of text: String) -> Int? {
    log.first { $0.contains(text) }.flatMap { Int($0.dropFirst(2).prefix { $0 != " " }) }
  }
}
