/// Long work queued in the cluster, implemented once per way of reaching it.
public protocol TaskOperations: Sendable {
  /// Queues a task for the daemon of `node`, which must be running.
  func submit(_ name: String, runOn node: String, arguments: [String: String]) async throws -> ClusterTask
  /// Every task still kept, oldest first.
  func list() async throws -> [ClusterTask]
  /// One task.
  func task(_ id: String) async throws -> ClusterTask
  /// Waits until the task has finished (or `timeout` passes) and returns it as it is then.
  func wait(for id: String, timeout: Duration) async throws -> ClusterTask
}

/// An error from a task operation.
public enum TaskError: Error, Sendable, Hashable, CustomStringConvertible {
  /// No task has this id.
  case notFound(String)
  /// The node cannot take tasks now.
  case nodeUnavailable(node: String, reason: String)

  public var description: String {
    switch self {
    case .notFound(let id): "no task with ID \"\(id)\" exists"
    case .nodeUnavailable(let node, let reason): "node \(node) cannot run tasks: \(reason)"
    }
  }
}
