import Logging
import ServiceLifecycle

/// Moves the VMs off a node, planned all at once so that they spread over the
/// other nodes: for a flush (live migrations, a bounded number at a time) and
/// for the recovery of a fenced node (its VMs start elsewhere at once).
struct NodeEvacuation: Sendable {
  let zookeeper: ZooKeeper
  /// The node being emptied.
  let node: String
  let logger: Logger

  /// The VMs assigned to the node in one of `states`, sorted by name.
  func assigned(in states: Set<VMState>) async throws -> [VMInfo] {
    let records = VMRecords(zookeeper: zookeeper)
    let here = try await records.index().filter { $0.node == node && states.contains($0.state) }
    return try await records.infos(here.map(\.uuid)).sorted { $0.name < $1.name }
  }

  /// Where each VM goes, counting what earlier VMs of the plan take from each node.
  func plan(_ vms: [VMInfo]) async throws -> [(vm: VMInfo, decision: PlacementDecision)] {
    let nodes = NodeRecords(zookeeper: zookeeper)
    async let all = nodes.all()
    async let clusterDefault = nodes.defaultSelector()
    let displaced = vms.map { vm in
      DisplacedVM(
        uuid: vm.uuid, name: vm.name, memoryMiB: vm.memory, vcpus: vm.vcpu, limit: vm.nodeLimit ?? [],
        selector: NodeSelector(rawValue: (vm.nodeSelector ?? "").lowercased()) ?? .none, lastNode: vm.lastNode)
    }
    let decisions = RecoveryPlanner.plan(
      displaced, from: node, nodes: try await all.map(\.candidate), clusterDefault: try await clusterDefault)
    return Array(zip(vms, decisions))
  }

  private var placement: ConditionalPlacement { ConditionalPlacement(zookeeper: zookeeper) }

  /// The states a fenced node's VMs are recovered from.
  static let recoverable: Set<VMState> = [.start, .restart, .shutdown, .migrate, .migrateLive, .unmigrate]

  /// Recovers a fenced node's VMs: each starts on its planned node (keeping an
  /// earlier `last_node`), or is stopped and flagged to autostart when nothing can take it.
  /// Each VM's write is checked against what the plan read; a VM changed meanwhile
  /// (a user's request won) is decided again, and left alone once it is no longer the node's.
  func recover() async throws {
    let plan = try await plan(try await assigned(in: Self.recoverable))
    await withTaskGroup(of: Void.self) { group in
      for (vm, decision) in plan {
        group.addTask {
          do {
            try await placement.apply(vm.uuid, name: vm.name) { current in
              guard current.node == node, Self.recoverable.contains(current.state) else { return nil }
              switch decision {
              case .move(_, let target):
                logger.info("recovering VM \(vm.name) from \(node) on \(target)")
                return .init(state: .start, node: target, lastNode: current.lastNode.isEmpty ? node : current.lastNode)
              case .park:
                logger.info("VM \(vm.name) has no node to go to: stopped, to start when \(node) is ready again")
                return .init(state: .stop, autostart: true)
              }
            }
          } catch {
            logger.warning("recovering VM \(vm.name): \(error)")
          }
        }
      }
    }
  }

  /// Flushes the node: live-migrates its running VMs, `window` at a time, and
  /// shuts down (flagged to autostart) those nothing can take.
  /// - Returns: how many VMs did not leave in time.
  func flush(window: Int, timeout: Duration) async throws -> Int {
    let plan = try await plan(try await assigned(in: [.start]))
    return try await windowed(plan, window: window, timeout: timeout) { vm, decision in
      try await start(vm, decision)
    }
  }

  /// Runs `step` over `items`, at most `window` at a time: each step writes a
  /// VM's new state and returns its state path and the state to wait out (`nil`:
  /// nothing written, nothing to wait for).
  /// - Returns: how many VMs stayed in that state past `timeout`.
  private func windowed<Item: Sendable>(
    _ items: [Item], window: Int, timeout: Duration, _ step: (Item) async throws -> (String, VMState)?
  ) async throws -> Int {
    var pending = items[...]
    var stuck = 0
    try await withThrowingTaskGroup(of: Bool.self) { group in
      var running = 0
      // A daemon stopping gracefully starts no more moves and waits for those under way.
      while (!pending.isEmpty && !Task.isShuttingDownGracefully) || running > 0 {
        while running < max(1, window), !Task.isShuttingDownGracefully, let item = pending.popFirst() {
          guard let (path, transient) = try await step(item) else { continue }
          running += 1
          group.addTask {
            await zookeeper.wait(for: path, timeout: timeout) { $0 != transient.rawValue }
          }
        }
        if let left = try await group.next() {
          running -= 1
          if !left { stuck += 1 }
        }
        try Task.checkCancellation()
      }
    }
    if !pending.isEmpty { throw Interrupted(remaining: pending.count) }
    return stuck
  }

  /// A flush or unflush stopped by a graceful stop of its daemon before every VM was moved.
  struct Interrupted: Error {
    var remaining: Int
  }

  /// Writes one VM's flush step (unless it left the node or stopped meanwhile);
  /// returns its state path and the state to wait out.
  private func start(_ vm: VMInfo, _ decision: PlacementDecision) async throws -> (String, VMState)? {
    let written = try await placement.apply(vm.uuid, name: vm.name) { current in
      guard current.node == node, current.state == .start else { return nil }
      switch decision {
      case .move(_, let target):
        logger.info("flush: migrating VM \(vm.name) to \(target)")
        return .init(state: .migrate, node: target, lastNode: current.lastNode.isEmpty ? node : current.lastNode)
      case .park:
        logger.info("flush: no node can take VM \(vm.name); shutting it down to start again at unflush")
        return .init(state: .shutdown, autostart: true)
      }
    }
    guard let state = written?.state else { return nil }
    return (try Layout.domain(vm.uuid).path(.state), state)
  }

  /// Brings back what a flush took away: VMs whose `last_node` is this node
  /// migrate home (`window` at a time), VMs parked here with autostart start.
  /// - Returns: how many VMs did not arrive in time.
  func unflush(window: Int, timeout: Duration) async throws -> Int {
    let records = VMRecords(zookeeper: zookeeper)
    let index = try await records.index()
    let infos = try await records.infos(index.map(\.uuid))
    var returning: [VMInfo] = []
    for vm in infos.sorted(by: { $0.name < $1.name }) {
      if vm.node == node && vm.nodeAutostart {
        try await placement.apply(vm.uuid, name: vm.name) { current in
          guard current.node == node, current.autostart else { return nil }
          logger.info("unflush: starting VM \(vm.name), stopped here by a flush")
          return .init(state: .start, lastNode: "", autostart: false)
        }
      } else if vm.lastNode == node && vm.node != node {
        returning.append(vm)
      }
    }
    return try await windowed(returning, window: window, timeout: timeout) { vm in
      let written = try await placement.apply(vm.uuid, name: vm.name) { current in
        guard current.lastNode == node, current.node != node else { return nil }
        logger.info("unflush: bringing VM \(vm.name) back from \(current.node)")
        return .init(state: current.state == .start ? .migrate : current.state, node: node, lastNode: "")
      }
      guard written != nil else { return nil }
      return (try Layout.domain(vm.uuid).path(.state), .migrate)
    }
  }
}
