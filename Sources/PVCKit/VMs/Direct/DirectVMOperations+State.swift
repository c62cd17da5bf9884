extension DirectVMOperations {
  /// How long `wait` waits for a shutdown, restart or migration to finish.
  static let actionTimeout: Duration = .seconds(600)

  private var placement: ConditionalPlacement { ConditionalPlacement(zookeeper: zookeeper) }

  /// Runs a task of `kind` where it belongs and waits for its result (what a waiting call does).
  func throughTask<Kind: TaskKind>(_ kind: Kind.Type, _ arguments: Kind.Arguments) async throws -> String {
    let placement = TaskPlacement(vms: self, nodes: DirectNodeOperations(zookeeper: zookeeper, views: views))
    let node = try await Kind.node(for: arguments, in: placement)
    return try await DirectTaskOperations(zookeeper: zookeeper).perform(
      kind, arguments, runOn: node, timeout: Self.actionTimeout)
  }

  func setState(_ vm: String, _ request: VMStateRequest, force: Bool, wait: Bool) async throws {
    // What waits (a shutdown, a restart, a disable that shuts down first) runs as a task on the VM's node.
    let waits = request == .shutdown || request == .restart || (request == .disable && !force)
    if wait && waits && waitsThroughTasks {
      _ = try await throughTask(VMStateTask.self, .init(vm: vm, state: request, force: force))
      return
    }
    let (uuid, name) = try await records.resolve(vm)
    let statePath = try Layout.domain(uuid).path(.state)
    // The rules decide on the state read; the write is checked against it (``ConditionalPlacement``).
    var decided: VMStateRules.Decision?
    let written = try await placement.apply(uuid, name: name) { current in
      let decision = VMStateRules.decide(request, current: current.state, force: force, vm: name)
      decided = decision
      switch decision {
      case .refuse(let error): throw error
      case .write(let state): return .init(state: state)
      case .stopThenDisable: return .init(state: .stop)
      case .shutdownThenDisable: return .init(state: .shutdown)
      }
    }
    guard written != nil else { throw VMError.notFound(vm) }
    switch decided {
    case .write(let state) where wait && (state == .restart || state == .shutdown):
      try await waitUntilLeaves(statePath, state)
    case .stopThenDisable:
      try await disable(uuid, name: name, after: .stop)
    case .shutdownThenDisable:
      guard try await waitFor(statePath, timeout: Self.actionTimeout, { $0 != VMState.shutdown.rawValue }) else {
        throw VMError.wrongState(
          vm: name, state: .shutdown, needed: "it did not stop in time; disable it with force to stop it at once")
      }
      try await disable(uuid, name: name, after: .stop)
    default: break
    }
  }

  /// Records `disable` once the VM is in `state` (not if another request changed it meanwhile).
  private func disable(_ uuid: String, name: String, after state: VMState) async throws {
    try await placement.apply(uuid, name: name) { current in
      guard current.state == state else {
        throw VMError.wrongState(vm: name, state: current.state, needed: "another request changed it; not disabled")
      }
      return .init(state: .disable)
    }
  }

  /// Waits while the state stays `state`.
  func waitUntilLeaves(_ path: String, _ state: VMState) async throws {
    _ = try await waitFor(path, timeout: Self.actionTimeout) { $0 != state.rawValue }
  }

  /// A VM's name, UUID, node limit and selector (what a placement decision needs besides its placement).
  private struct Placing {
    var uuid: String
    var name: String
    var limit: [String]
    var selector: NodeSelector
  }

  private func placing(_ vm: String) async throws -> Placing {
    let (uuid, name) = try await records.resolve(vm)
    let ref = try Layout.domain(uuid)
    let values = try await zookeeper.getMany([ref.path(.nodeLimit), ref.path(.nodeSelector)])
    return Placing(
      uuid: uuid, name: name,
      limit: (values[0]?.string ?? "").split(separator: ",").map(String.init).filter { !$0.isEmpty },
      selector: NodeSelector(rawValue: (values[1]?.string ?? "").lowercased()) ?? .none)
  }

  /// The node a VM goes to: the requested one (checked), or the selector's choice.
  private func destination(_ vm: Placing, from node: String, requested: String?) async throws -> String {
    if let requested {
      guard try await zookeeper.exists(try Layout.node(requested).basePath) != nil else {
        throw VMError.nodeNotFound(requested)
      }
      guard vm.limit.isEmpty || vm.limit.contains(requested) else {
        throw VMError.nodeNotAllowed(node: requested, vm: vm.name)
      }
      return requested
    }
    async let all = nodes.all()
    async let clusterDefault = nodes.defaultSelector()
    guard
      let target = Placement.target(
        nodes: try await all.map(\.candidate), limit: vm.limit, selector: vm.selector,
        clusterDefault: try await clusterDefault, excluding: node)
    else { throw VMError.noTarget(vm: vm.name) }
    return target
  }

  /// The change that puts a VM on `target`: a running VM migrates (live only if asked).
  private static func move(_ current: VMPlacement, to target: String, lastNode: String, forceLive: Bool)
    -> ConditionalPlacement.Change
  {
    let state: VMState = current.state == .start ? (forceLive ? .migrateLive : .migrate) : current.state
    return .init(state: state, node: target, lastNode: lastNode)
  }

  /// Writes a placement decided by `decide` and waits for a migration to finish if asked.
  private func place(
    _ vm: Placing, wait: Bool, _ decide: (VMPlacement) async throws -> ConditionalPlacement.Change?
  ) async throws -> VMMigrationOutcome {
    guard let change = try await placement.apply(vm.uuid, name: vm.name, decide: decide) else {
      throw VMError.notFound(vm.name)
    }
    guard let target = change.node else { return .madePermanent(node: try await info(vm.uuid).node) }
    if wait, let state = change.state, state.isMigrating {
      try await waitUntilLeaves(try Layout.domain(vm.uuid).path(.state), state)
    }
    return .moving(to: target)
  }

  /// The outcome of a migration carried out by a task, from its result.
  private func outcome(ofTask result: String, vm: String) async throws -> VMMigrationOutcome {
    let node = try await info(vm).node
    return result.contains("permanent") ? .madePermanent(node: node) : .moving(to: node)
  }

  func migrate(_ vm: String, to node: String?, force: Bool, forceLive: Bool, wait: Bool) async throws
    -> VMMigrationOutcome
  {
    if wait && waitsThroughTasks {
      let arguments = VMMoveArguments(vm: vm, target: node, force: force, forceLive: forceLive)
      return try await outcome(ofTask: try await throughTask(VMMigrateTask.self, arguments), vm: vm)
    }
    let placing = try await placing(vm)
    return try await place(placing, wait: wait) { current in
      if !current.lastNode.isEmpty && !force { throw VMError.alreadyMigrated(vm: placing.name) }
      if node == current.node { throw VMError.alreadyOnNode(vm: placing.name, node: current.node) }
      let target = try await destination(placing, from: current.node, requested: node)
      // A forced second migration keeps the original home.
      let home = current.lastNode.isEmpty ? current.node : current.lastNode
      return Self.move(current, to: target, lastNode: home, forceLive: forceLive)
    }
  }

  func unmigrate(_ vm: String, forceLive: Bool, wait: Bool) async throws -> VMMigrationOutcome {
    if wait && waitsThroughTasks {
      let arguments = VMMoveArguments(vm: vm, forceLive: forceLive)
      return try await outcome(ofTask: try await throughTask(VMUnmigrateTask.self, arguments), vm: vm)
    }
    let placing = try await placing(vm)
    return try await place(placing, wait: wait) { current in
      guard !current.lastNode.isEmpty else { throw VMError.notMigrated(vm: placing.name) }
      return Self.move(current, to: current.lastNode, lastNode: "", forceLive: forceLive)
    }
  }

  func move(_ vm: String, to node: String?, forceLive: Bool, wait: Bool) async throws -> VMMigrationOutcome {
    if wait && waitsThroughTasks {
      let arguments = VMMoveArguments(vm: vm, target: node, forceLive: forceLive)
      return try await outcome(ofTask: try await throughTask(VMMoveTask.self, arguments), vm: vm)
    }
    let placing = try await placing(vm)
    return try await place(placing, wait: wait) { current in
      if node == current.node {
        guard !current.lastNode.isEmpty else { throw VMError.alreadyOnNode(vm: placing.name, node: current.node) }
        return .init(lastNode: "")  // made permanent where it is
      }
      let target = try await destination(placing, from: current.node, requested: node)
      return Self.move(current, to: target, lastNode: "", forceLive: forceLive)
    }
  }
}
