import Foundation
import Logging

/// The fencer: a primary duty that watches every node's keepalive, declares
/// silent nodes dead, and runs their fences (``FenceMachine``) for real: IPMI
/// through ``IPMIClient``, node states and faults in ZooKeeper, VM recovery
/// through ``NodeEvacuation``. Only the primary runs it, so one coordinator
/// fences at a time. Nothing happens in maintenance mode.
struct FenceMonitor: Sendable {
  let zookeeper: ZooKeeper
  let identity: NodeIdentity
  let policy: FencePolicy
  let logger: Logger

  /// The fencer's memory between ticks.
  private struct Memory {
    var detector = DeadNodeDetector()
    var machines: [String: FenceMachine] = [:]
    /// Nodes whose session expiry was already reported to their machine.
    var expiredReported: Set<String> = []
  }

  /// One node as read at a tick.
  private struct Observed {
    var keepalive: String
    var daemonState: NodeDaemonState
    var hasSession: Bool
  }

  /// Runs until cancelled, one tick per keepalive interval.
  func run() async {
    let start = ContinuousClock.now
    var memory = Memory()
    while !Task.isCancelled {
      do {
        try await tick(&memory, now: ContinuousClock.now - start)
      } catch is CancellationError {
        return
      } catch {
        logger.warning("fencing: \(error)")
      }
      try? await Task.sleep(for: policy.interval)
    }
  }

  private func observe() async throws -> (maintenance: Bool, nodes: [String: Observed]) {
    // A child of /nodes that cannot be a node is reported and skipped: it never stops fencing the others.
    let names = try await NodeRecords(zookeeper: zookeeper).names()
    let refs = try names.map { try Layout.node($0) }
    var paths = [Layout.base.path(.maintenance)]
    for ref in refs { paths += [ref.path(.keepalive), ref.path(.daemonState)] }
    let values = try await zookeeper.getMany(paths)
    let sessions = try await zookeeper.existsMany(try names.map { try Layout.liveness($0) })
    var nodes: [String: Observed] = [:]
    for (index, name) in names.enumerated() {
      nodes[name] = Observed(
        keepalive: values[1 + index * 2]?.string ?? "",
        daemonState: NodeDaemonState(rawValue: values[2 + index * 2]?.string ?? ""),
        hasSession: sessions[index] != nil)
    }
    return (values[0]?.string == "true", nodes)
  }

  private func tick(_ memory: inout Memory, now: Duration) async throws {
    let (maintenance, nodes) = try await observe()
    for (name, node) in nodes { memory.detector.observe(name, keepalive: node.keepalive, at: now) }
    guard !maintenance else { return }
    for name in nodes.keys.sorted() where name != identity.name {
      let node = nodes[name]!
      if var machine = memory.machines[name] {
        var effects: [FenceEffect] = []
        if !node.hasSession && !memory.expiredReported.contains(name) {
          memory.expiredReported.insert(name)
          effects += machine.handle(.sessionExpired, now: now)
        }
        let silence = memory.detector.silence(of: name, at: now) ?? .zero
        effects += machine.handle(silence < policy.interval * 2 ? .alive : .tick, now: now)
        try await apply(effects, to: name, machine: &machine, now: now)
        let rejoined = node.daemonState != .dead && node.daemonState != .fenced
        if machine.isFinished && (machine.phase == .cancelled || rejoined) {
          memory.machines[name] = nil
          memory.expiredReported.remove(name)
        } else {
          memory.machines[name] = machine
        }
      } else if memory.detector.isDead(
        name, daemonState: node.daemonState == .dead ? .run : node.daemonState, at: now, interval: policy.interval,
        intervals: policy.fenceIntervals)
      {
        var machine = FenceMachine(node: name, policy: policy, now: now, sessionExpiredAt: node.hasSession ? nil : now)
        if !node.hasSession { memory.expiredReported.insert(name) }
        try await apply(machine.initialEffects, to: name, machine: &machine, now: now)
        memory.machines[name] = machine
      }
    }
  }

  private func apply(_ effects: [FenceEffect], to name: String, machine: inout FenceMachine, now: Duration)
    async throws
  {
    let ref = try Layout.node(name)
    var pending = effects[...]
    while let effect = pending.popFirst() {
      switch effect {
      case .markDead:
        try await zookeeper.set(ref.path(.daemonState), NodeDaemonState.dead.rawValue)
        try await faults.report([
          FaultReport(id: "DEAD_NODE_\(name)", healthDelta: FaultChecks.deadNodeDelta, message: "Node \(name) is dead")
        ])
      case .powerOff:
        let status = await powerOff(name)
        logger.info("IPMI power-off of node \(name): \(status)")
        pending += machine.handle(.powerStatus(status), now: now)
      case .queryPower:
        try await Task.sleep(for: .seconds(1))
        pending += machine.handle(.powerStatus(await powerStatus(name)), now: now)
      case .powerOn:
        do {
          try await ipmiClient(for: name).powerOn()
        } catch {
          logger.warning("IPMI power-on of node \(name) failed: \(error)")
        }
      case .markFenced:
        try await markFenced(name, ref)
        await FenceCounts.add(name, result: "success", in: zookeeper)
      case .recoverVMs:
        try await zookeeper.set(ref.path(.domainState), NodeDomainState.fenceFlush.rawValue)
        try await NodeEvacuation(zookeeper: zookeeper, node: name, logger: logger).recover()
        try await zookeeper.set(ref.path(.domainState), NodeDomainState.flushed.rawValue)
      case .reportFailure(let reason):
        logger.warning("fence of node \(name) failed: \(reason)")
        await FenceCounts.add(name, result: "failure", in: zookeeper)
        try await faults.report([
          FaultReport(
            id: "FENCE_FAILED_\(name)", healthDelta: FaultChecks.deadNodeDelta,
            message: "Fencing node \(name) failed: \(reason)")
        ])
      case .log(let line):
        logger.info("\(line)")
      }
    }
  }

  private var faults: DirectFaultOperations { DirectFaultOperations(zookeeper: zookeeper) }

  /// Records the node fenced, as upstream leaves it: secondary if a coordinator, resources zeroed.
  private func markFenced(_ name: String, _ ref: ObjectRef<NodeKey>) async throws {
    var operations: [ZooKeeperOperation] = [.set(ref.path(.daemonState), NodeDaemonState.fenced.rawValue)]
    if try await zookeeper.string(ref.path(.routerState)) != NodeCoordinatorState.client.rawValue {
      operations.append(.set(ref.path(.routerState), NodeCoordinatorState.secondary.rawValue))
    }
    for key: NodeKey in [.memoryUsed, .memoryFree, .memoryAllocated, .memoryProvisioned, .vcpuAllocated, .domainCount] {
      operations.append(.set(ref.path(key), "0"))
    }
    operations += [.set(ref.path(.cpuLoad), "0.0"), .set(ref.path(.runningDomains), "")]
    try await zookeeper.multi(operations)
  }

  /// Powers the node off and asks for its status; every failure is `unreachable`.
  private func powerOff(_ name: String) async -> PowerStatus {
    do {
      let ipmi = try await ipmiClient(for: name)
      try await ipmi.powerOff()
      return await ipmi.status()
    } catch {
      return .unreachable("\(error)")
    }
  }

  private func powerStatus(_ name: String) async -> PowerStatus {
    do {
      return try await ipmiClient(for: name).status()
    } catch {
      return .unreachable("\(error)")
    }
  }

  private func ipmiClient(for name: String) async throws -> IPMIClient {
    let record = try await zookeeper.record(try Layout.node(name), keys: [.ipmiHostname, .ipmiUsername, .ipmiPassword])
    return try IPMIClient(
      hostname: record.value(.ipmiHostname), username: record.value(.ipmiUsername),
      password: record.value(.ipmiPassword))
  }
}
