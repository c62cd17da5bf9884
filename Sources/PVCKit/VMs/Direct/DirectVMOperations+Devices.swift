/// Hot-plug and lock flushes, queued as tasks on the VM's node. The device and the definition it makes are
/// checked here first, so that a bad request is refused at once rather than by a failed task.
extension DirectVMOperations {
  func attachDevice(_ vm: String, xml: String) async throws -> ClusterTask {
    let definition = try DomainDevice(xml).attached(to: try await info(vm).xml).definition
    try policy.check(definition.summary)
    return try await queueOnVMNode(VMDeviceAttachTask.self, .init(vm: vm, xml: xml))
  }

  func detachDevice(_ vm: String, xml: String) async throws -> ClusterTask {
    _ = try DomainDevice(xml).detached(from: try await info(vm).xml)
    return try await queueOnVMNode(VMDeviceDetachTask.self, .init(vm: vm, xml: xml))
  }

  func flushLocks(_ vm: String) async throws -> ClusterTask {
    _ = try await info(vm)
    return try await queueOnVMNode(VMFlushLocksTask.self, .init(vm: vm))
  }

  private func queueOnVMNode<Kind: TaskKind>(_ kind: Kind.Type, _ arguments: Kind.Arguments) async throws
    -> ClusterTask
  {
    let nodes = DirectNodeOperations(zookeeper: zookeeper, waitsThroughTasks: false)
    let node = try await Kind.node(for: arguments, in: TaskPlacement(vms: self, nodes: nodes))
    return try await DirectTaskOperations(zookeeper: zookeeper).submit(kind, arguments, runOn: node)
  }
}
