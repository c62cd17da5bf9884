/// `node.flush`: moves every VM off a node and waits until it is flushed, reporting how many have moved.
public enum NodeFlushTask: TaskKind {
  public struct Arguments: Codable, Sendable, Hashable {
    public var node: String
    public init(node: String) { self.node = node }
  }
  public static let name = "node.flush"
  public static func node(for arguments: Arguments, in placement: TaskPlacement) async throws -> String {
    arguments.node
  }
  public static func run(_ arguments: Arguments, context: TaskContext) async throws -> String {
    try await NodeDomainStateWork.run(.flush, node: arguments.node, context: context)
  }
}

/// `node.ready`: brings a node back into service and waits until the VMs a flush moved away are back.
public enum NodeReadyTask: TaskKind {
  public typealias Arguments = NodeFlushTask.Arguments
  public static let name = "node.ready"
  public static func node(for arguments: Arguments, in placement: TaskPlacement) async throws -> String {
    arguments.node
  }
  public static func run(_ arguments: Arguments, context: TaskContext) async throws -> String {
    try await NodeDomainStateWork.run(.ready, node: arguments.node, context: context)
  }
}

/// Flushing or readying a node, with progress.
enum NodeDomainStateWork {
  static func run(_ action: NodeDomainAction, node: String, context: TaskContext) async throws -> String {
    guard node == context.node else {
      throw TaskError.invalidArguments(task: "node.\(action.rawValue)", reason: "it runs on the node it names")
    }
    let (vms, nodes) = (context.vms, context.nodes)
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
      await context.update(
        current: max(0, total - left), total: total, status: "\(verb) node \(node): \(left) of \(total) VMs to move")
      if state == target { break }
      guard state == (action == .flush ? .flush : .unflush) else {
        throw TaskError.failed("node \(node) went to \(state.rawValue) while \(verb)")
      }
      try await Task.sleep(for: .milliseconds(250))
    }
    return action == .flush ? "Node \(node) is flushed." : "Node \(node) is ready."
  }
}
