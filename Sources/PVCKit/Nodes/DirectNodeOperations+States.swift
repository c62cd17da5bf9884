extension DirectNodeOperations {
  /// How long `wait` waits for a flush, unflush or role change.
  static let stateTimeout: Duration = .seconds(900)

  func setDomainState(_ node: String, _ action: NodeDomainAction, wait: Bool) async throws -> String {
    let ref = try checkedNode(node)
    let path = ref.path(.domainState)
    guard let current = try await zookeeper.string(path) else { throw NodeError.notFound(node) }
    let (request, result): (NodeDomainState, NodeDomainState) =
      action == .flush ? (.flush, .flushed) : (.unflush, .ready)
    if current == result.rawValue {
      return action == .flush ? "Node \(node) is already flushed." : "Node \(node) is already ready."
    }
    if wait && waitsThroughTasks {
      let arguments = NodeFlushTask.Arguments(node: node)
      let tasks = DirectTaskOperations(zookeeper: zookeeper)
      return action == .flush
        ? try await tasks.perform(NodeFlushTask.self, arguments, runOn: node, timeout: Self.stateTimeout)
        : try await tasks.perform(NodeReadyTask.self, arguments, runOn: node, timeout: Self.stateTimeout)
    }
    try await zookeeper.set(path, request.rawValue)
    guard wait else {
      return action == .flush ? "Flushing node \(node) of its VMs." : "Bringing node \(node) back into service."
    }
    guard await zookeeper.wait(for: path, timeout: Self.stateTimeout, until: { $0 != request.rawValue }) else {
      throw NodeError.timedOut("node \(node) to be \(result.rawValue)")
    }
    return action == .flush ? "Node \(node) is flushed." : "Node \(node) is ready."
  }

  func setCoordinatorState(_ node: String, _ role: NodeCoordinatorRole, wait: Bool) async throws -> String {
    let ref = try checkedNode(node)
    let values = try await zookeeper.getMany([ref.path(.routerState), ref.path(.daemonState)])
    guard let routerState = values[0]?.string else { throw NodeError.notFound(node) }
    guard routerState != NodeCoordinatorState.client.rawValue else { throw NodeError.notCoordinator(node) }
    let daemonState = NodeDaemonState(rawValue: values[1]?.string ?? "")
    guard daemonState == .run else { throw NodeError.notRunning(node: node, state: daemonState) }
    let target: NodeCoordinatorState = role == .primary ? .primary : .secondary
    if routerState == target.rawValue { return "Node \(node) is already the \(role.rawValue) coordinator." }
    try await zookeeper.set(Layout.base.path(.primaryNode), role == .primary ? node : "none")
    guard wait else { return "Asked node \(node) to become \(role.rawValue) coordinator." }
    let path = ref.path(.routerState)
    guard await zookeeper.wait(for: path, timeout: Self.stateTimeout, until: { $0 == target.rawValue }) else {
      throw NodeError.timedOut("node \(node) to become \(role.rawValue)")
    }
    return "Node \(node) is now the \(role.rawValue) coordinator."
  }

  func primary() async throws -> String? {
    if let holder = try await zookeeper.string(Layout.primaryLease) { return holder }
    let requested = try await zookeeper.string(Layout.base.path(.primaryNode)) ?? ""
    return requested.isEmpty || requested == "none" ? nil : requested
  }

  func log(_ node: String, lines: Int) async throws -> String {
    let ref = try checkedNode(node)
    guard try await zookeeper.exists(ref.basePath) != nil else { throw NodeError.notFound(node) }
    return try await NodeLogRing.read(node, lines: lines, zookeeper: zookeeper).text
  }

  /// The node's reference; a malformed name is reported as not found.
  private func checkedNode(_ node: String) throws -> ObjectRef<NodeKey> {
    guard let ref = try? Layout.node(node) else { throw NodeError.notFound(node) }
    return ref
  }
}
