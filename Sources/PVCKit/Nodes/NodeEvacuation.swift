/// Moves the VMs off a node, planned all at once so that they spread over the
/// other nodes: for a flush (live migrations, a bounded number at a time) and
/// for the recovery of a fenced node (its VMs start elsewhere at once).
struct NodeEvacuation: Sendable {
  let zookeeper: ZooKeeper
  /// The node being emptied.
  let node: String
  let log: @Sendable (String) -> Void

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

  /// Recovers a fenced node's VMs: each starts on its planned node (keeping an
  /// earlier `last_node`), or is stopped and flagged to autostart when nothing can take it.
  func recover() async throws {
    let vms = try await assigned(in: [.start, .restart, .shutdown, .migrate, .migrateLive, .unmigrate])
    var operations: [ZooKeeperOperation] = []
    for (vm, decision) in try await plan(vms) {
      let ref = try Layout.domain(vm.uuid)
      switch decision {
      case .move(_, let target):
        log("recovering VM \(vm.name) from \(node) on \(target)")
        operations += [
          .set(ref.path(.state), VMState.start.rawValue), .set(ref.path(.node), target),
          .set(ref.path(.lastNode), vm.lastNode.isEmpty ? node : vm.lastNode),
        ]
      case .park:
        log("VM \(vm.name) has no node to go to: stopped, to start when \(node) is ready again")
        operations += [.set(ref.path(.state), VMState.stop.rawValue), .set(ref.path(.autostart), "True")]
      }
    }
    if !operations.isEmpty { try await zookeeper.multi(operations) }
  }

  /// Flushes the node: live-migrates its running VMs, `window` at a time, and
  /// shuts down (flagged to autostart) those nothing can take.
  /// - Returns: how many VMs did not leave in time.
  func flush(window: Int, timeout: Duration) async throws -> Int {
    let plan = try await plan(try await assigned(in: [.start]))
    return try await windowed(plan, window: window, timeout: timeout) { vm, decision in
      (try Layout.domain(vm.uuid).path(.state), try await start(vm, decision))
    }
  }

  /// Runs `step` over `items`, at most `window` at a time: each step writes a
  /// VM's new state and returns its state path and the state to wait out.
  /// - Returns: how many VMs stayed in that state past `timeout`.
  private func windowed<Item: Sendable>(
    _ items: [Item], window: Int, timeout: Duration, _ step: (Item) async throws -> (String, VMState)
  ) async throws -> Int {
    var pending = items[...]
    var stuck = 0
    try await withThrowingTaskGroup(of: Bool.self) { group in
      var running = 0
      while !pending.isEmpty || running > 0 {
        while running < max(1, window), let item = pending.popFirst() {
          let (path, transient) = try await step(item)
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
    return stuck
  }

  /// Writes one VM's flush step; returns the state to wait out.
  private func start(_ vm: VMInfo, _ decision: PlacementDecision) async throws -> VMState {
    let ref = try Layout.domain(vm.uuid)
    switch decision {
    case .move(_, let target):
      log("flush: migrating VM \(vm.name) to \(target)")
      try await zookeeper.multi([
        .set(ref.path(.state), VMState.migrate.rawValue), .set(ref.path(.node), target),
        .set(ref.path(.lastNode), vm.lastNode.isEmpty ? node : vm.lastNode),
      ])
      return .migrate
    case .park:
      log("flush: no node can take VM \(vm.name); shutting it down to start again at unflush")
      try await zookeeper.multi([
        .set(ref.path(.state), VMState.shutdown.rawValue), .set(ref.path(.autostart), "True"),
      ])
      return .shutdown
    }
  }

  /// Brings back what a flush took away: VMs whose `last_node` is this node
  /// migrate home (`window` at a time), VMs parked here with autostart start.
  /// - Returns: how many VMs did not arrive in time.
  func unflush(window: Int, timeout: Duration) async throws -> Int {
    let records = VMRecords(zookeeper: zookeeper)
    let index = try await records.index()
    let infos = try await records.infos(index.map(\.uuid))
    var parked: [ZooKeeperOperation] = []
    var returning: [VMInfo] = []
    for vm in infos.sorted(by: { $0.name < $1.name }) {
      let ref = try Layout.domain(vm.uuid)
      if vm.node == node && vm.nodeAutostart {
        log("unflush: starting VM \(vm.name), stopped here by a flush")
        parked += [
          .set(ref.path(.state), VMState.start.rawValue), .set(ref.path(.lastNode), ""),
          .set(ref.path(.autostart), "False"),
        ]
      } else if vm.lastNode == node && vm.node != node {
        returning.append(vm)
      }
    }
    if !parked.isEmpty { try await zookeeper.multi(parked) }
    return try await windowed(returning, window: window, timeout: timeout) { vm in
      let ref = try Layout.domain(vm.uuid)
      let state: VMState = vm.state == .start ? .migrate : vm.state
      log("unflush: bringing VM \(vm.name) back from \(vm.node)")
      try await zookeeper.multi([
        .set(ref.path(.state), state.rawValue), .set(ref.path(.node), node), .set(ref.path(.lastNode), ""),
      ])
      return (ref.path(.state), .migrate)
    }
  }
}
