extension DirectVMOperations {
  /// How long `wait` waits for a shutdown, restart or migration to finish.
  static let actionTimeout: Duration = .seconds(600)

  func setState(_ vm: String, _ request: VMStateRequest, force: Bool, wait: Bool) async throws {
    let (uuid, name) = try await records.resolve(vm)
    let ref = try Layout.domain(uuid)
    let state = VMState(rawValue: try await zookeeper.string(ref.path(.state)) ?? "")
    let statePath = ref.path(.state)
    if state == .mirror && !force && [.start, .stop, .disable].contains(request) {
      throw VMError.mirrorNotForced(vm: name, action: request.rawValue)
    }
    switch request {
    case .start, .stop:
      try await zookeeper.set(statePath, request.rawValue)
    case .restart, .shutdown:
      guard state == .start else {
        throw VMError.wrongState(vm: name, state: state, needed: "only a started VM can be \(request.rawValue)ed")
      }
      try await zookeeper.set(statePath, request.rawValue)
      if wait { try await waitUntilLeaves(statePath, VMState(rawValue: request.rawValue)) }
    case .disable:
      if state == .start {
        if force {
          try await zookeeper.set(statePath, VMState.stop.rawValue)
        } else {
          try await zookeeper.set(statePath, VMState.shutdown.rawValue)
          guard try await waitFor(statePath, timeout: Self.actionTimeout, { $0 == VMState.stop.rawValue }) else {
            throw VMError.wrongState(
              vm: name, state: .shutdown, needed: "it did not stop in time; disable it with force to stop it at once")
          }
        }
      }
      try await zookeeper.set(statePath, VMState.disable.rawValue)
    }
  }

  /// Waits while the state stays `state`.
  func waitUntilLeaves(_ path: String, _ state: VMState) async throws {
    _ = try await waitFor(path, timeout: Self.actionTimeout) { $0 != state.rawValue }
  }

  /// The values a migration decision needs, with the version of `node` for the final check.
  private struct Placing {
    var uuid: String
    var name: String
    var ref: ObjectRef<DomainKey>
    var state: VMState
    var node: String
    var nodeVersion: Int32
    var lastNode: String
    var limit: [String]
    var selector: NodeSelector
  }

  private func placing(_ vm: String) async throws -> Placing {
    let (uuid, name) = try await records.resolve(vm)
    let ref = try Layout.domain(uuid)
    let keys: [DomainKey] = [.state, .node, .lastNode, .nodeLimit, .nodeSelector]
    let values = try await zookeeper.getMany(keys.map { ref.path($0) })
    guard let nodeData = values[1] else { throw VMError.notFound(vm) }
    return Placing(
      uuid: uuid, name: name, ref: ref, state: VMState(rawValue: values[0]?.string ?? ""), node: nodeData.string,
      nodeVersion: nodeData.stat.version, lastNode: values[2]?.string ?? "",
      limit: (values[3]?.string ?? "").split(separator: ",").map(String.init).filter { !$0.isEmpty },
      selector: NodeSelector(rawValue: (values[4]?.string ?? "").lowercased()) ?? .none)
  }

  /// The node a VM goes to: the requested one (checked), or the selector's choice.
  private func destination(_ vm: Placing, requested: String?) async throws -> String {
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
        clusterDefault: try await clusterDefault, excluding: vm.node)
    else { throw VMError.noTarget(vm: vm.name) }
    return target
  }

  /// Writes the new placement, unless the VM's node changed since it was read.
  private func place(_ vm: Placing, on target: String, lastNode: String, forceLive: Bool, wait: Bool) async throws {
    let migrating = vm.state == .start
    let newState: VMState = migrating ? (forceLive ? .migrateLive : .migrate) : vm.state
    try await zookeeper.multi([
      .check(path: vm.ref.path(.node), version: vm.nodeVersion),
      .set(vm.ref.path(.state), newState.rawValue), .set(vm.ref.path(.node), target),
      .set(vm.ref.path(.lastNode), lastNode),
    ])
    if wait && migrating { try await waitUntilLeaves(vm.ref.path(.state), newState) }
  }

  func migrate(_ vm: String, to node: String?, force: Bool, forceLive: Bool, wait: Bool) async throws
    -> VMMigrationOutcome
  {
    let current = try await placing(vm)
    if !current.lastNode.isEmpty && !force { throw VMError.alreadyMigrated(vm: current.name) }
    if node == current.node { throw VMError.alreadyOnNode(vm: current.name, node: current.node) }
    let target = try await destination(current, requested: node)
    // A forced second migration keeps the original home.
    let home = current.lastNode.isEmpty ? current.node : current.lastNode
    try await place(current, on: target, lastNode: home, forceLive: forceLive, wait: wait)
    return .moving(to: target)
  }

  func unmigrate(_ vm: String, forceLive: Bool, wait: Bool) async throws -> VMMigrationOutcome {
    let current = try await placing(vm)
    guard !current.lastNode.isEmpty else { throw VMError.notMigrated(vm: current.name) }
    try await place(current, on: current.lastNode, lastNode: "", forceLive: forceLive, wait: wait)
    return .moving(to: current.lastNode)
  }

  func move(_ vm: String, to node: String?, forceLive: Bool, wait: Bool) async throws -> VMMigrationOutcome {
    let current = try await placing(vm)
    if node == current.node {
      guard !current.lastNode.isEmpty else { throw VMError.alreadyOnNode(vm: current.name, node: current.node) }
      try await zookeeper.set(current.ref.path(.lastNode), "")
      return .madePermanent(node: current.node)
    }
    let target = try await destination(current, requested: node)
    try await place(current, on: target, lastNode: "", forceLive: forceLive, wait: wait)
    return .moving(to: target)
  }
}
