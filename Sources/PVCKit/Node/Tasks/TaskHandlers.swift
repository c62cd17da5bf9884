import Foundation

/// What each kind of task does. Each returns its result for people, or throws.
enum TaskHandlers {
  /// The task names this release carries out.
  static let names = [
    "node.flush", "node.ready", "vm.migrate", "vm.move", "vm.unmigrate", "vm.state", "vm.flush_locks",
  ]

  static func run(_ task: ClusterTask, zookeeper: ZooKeeper, node: String, progress: TaskProgress) async throws
    -> String
  {
    let vms = DirectVMOperations(zookeeper: zookeeper)
    func argument(_ name: String) throws -> String {
      guard let value = task.arguments[name], !value.isEmpty else {
        throw TaskHandlerError("task \(task.name) lacks its '\(name)' argument")
      }
      return value
    }
    func flag(_ name: String) -> Bool { task.arguments[name] == "true" }
    switch task.name {
    case "node.flush": return try await domainState(.flush, zookeeper: zookeeper, node: node, progress: progress)
    case "node.ready": return try await domainState(.ready, zookeeper: zookeeper, node: node, progress: progress)
    case "vm.migrate":
      let vm = try argument("vm")
      await progress.update(current: 0, total: 1, status: "migrating VM \(vm)")
      try await vms.migrate(
        vm, to: task.arguments["target"], force: flag("force"), forceLive: flag("force_live"), wait: true)
      return "Migrated VM \"\(vm)\" to node \"\(try await vms.info(vm).node)\"."
    case "vm.move":
      let vm = try argument("vm")
      await progress.update(current: 0, total: 1, status: "moving VM \(vm)")
      _ = try await vms.move(vm, to: task.arguments["target"], forceLive: flag("force_live"), wait: true)
      return "Moved VM \"\(vm)\" to node \"\(try await vms.info(vm).node)\"."
    case "vm.unmigrate":
      let vm = try argument("vm")
      await progress.update(current: 0, total: 1, status: "returning VM \(vm)")
      _ = try await vms.unmigrate(vm, forceLive: flag("force_live"), wait: true)
      return "Returned VM \"\(vm)\" to node \"\(try await vms.info(vm).node)\"."
    case "vm.state":
      let vm = try argument("vm")
      guard let request = VMStateRequest(rawValue: try argument("state")) else {
        throw TaskHandlerError("task vm.state has an unknown state '\(task.arguments["state"] ?? "")'")
      }
      await progress.update(current: 0, total: 1, status: "VM \(vm): \(request.rawValue)")
      try await vms.setState(vm, request, force: flag("force"), wait: true)
      return "VM \"\(vm)\" is \(try await vms.info(vm).state.rawValue)."
    case "vm.flush_locks":
      let info = try await vms.info(try argument("vm"))
      guard ![.start, .migrate, .migrateLive, .unmigrate, .restart].contains(info.state) else {
        throw TaskHandlerError("VM \"\(info.name)\" is \(info.state.rawValue); stop it before freeing its disk locks")
      }
      let rbd = info.disks.filter { $0.type == "rbd" }
      guard rbd.isEmpty else {
        throw TaskHandlerError(
          "VM \"\(info.name)\" has RBD disks, and Ceph storage is not available in this release yet")
      }
      return "No RBD locks to free for VM \"\(info.name)\"."
    default:
      throw TaskHandlerError("unknown task \"\(task.name)\"")
    }
  }

  /// Flushes or readies this node, reporting how many of its VMs have moved.
  private static func domainState(
    _ action: NodeDomainAction, zookeeper: ZooKeeper, node: String, progress: TaskProgress
  ) async throws -> String {
    let vms = DirectVMOperations(zookeeper: zookeeper)
    let nodes = DirectNodeOperations(zookeeper: zookeeper)
    // The VMs that must move: for a flush those on this node, for ready those that left it.
    func remaining() async throws -> Int {
      let all = try await vms.list(VMFilter())
      return action == .flush
        ? all.filter { $0.node == node && $0.state != .stop && $0.state != .disable }.count
        : all.filter { $0.lastNode == node }.count
    }
    let total = try await remaining()
    _ = try await nodes.setDomainState(node, action, wait: false)
    let target: NodeDomainState = action == .flush ? .flushed : .ready
    let verb = action == .flush ? "flushing" : "readying"
    while true {
      let state = try await nodes.info(node).domainState
      let left = try await remaining()
      await progress.update(
        current: max(0, total - left), total: total, status: "\(verb) node \(node): \(left) of \(total) VMs to move")
      if state == target { break }
      guard state == (action == .flush ? .flush : .unflush) || state == target else {
        throw TaskHandlerError("node \(node) went to \(state.rawValue) while \(verb)")
      }
      try await Task.sleep(for: .milliseconds(250))
    }
    return action == .flush ? "Node \(node) is flushed." : "Node \(node) is ready."
  }
}

/// A task could not be carried out.
struct TaskHandlerError: Error, CustomStringConvertible {
  var description: String
  init(_ description: String) { self.description = description }
}
