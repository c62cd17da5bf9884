/// Long work queued in the cluster, implemented once per way of reaching it.
public protocol TaskOperations: Sendable {
  /// Queues a task for the daemon of `node`, which must be running (see
  /// ``submit(_:_:runOn:)`` for a typed kind, ``PVCCluster/queue(_:_:)`` to let
  /// the kind choose the node).
  func submit(_ name: String, runOn node: String, arguments: [String: JSONValue]) async throws -> ClusterTask
  /// Every task still kept, oldest first.
  func list() async throws -> [ClusterTask]
  /// One task.
  func task(_ id: String) async throws -> ClusterTask
  /// Waits until the task has finished (or `timeout` passes) and returns it as it is then.
  func wait(for id: String, timeout: Duration) async throws -> ClusterTask
  /// Asks a running or queued task to stop: its node's daemon cancels it, and it undoes what it made and fails
  /// with "cancelled". Only kinds that can be cancelled (``TaskKind/isCancellable``) accept it.
  func cancel(_ id: String) async throws -> ClusterTask
}

/// An error from a task operation.
public enum TaskError: Error, Sendable, Hashable, CustomStringConvertible {
  /// No task has this id.
  case notFound(String)
  /// The node cannot take tasks now.
  case nodeUnavailable(node: String, reason: String)
  /// No kind of task has this name in this release.
  case unknownKind(String)
  /// A task record's arguments are not what its kind needs.
  case invalidArguments(task: String, reason: String)
  /// The task ran and failed, for this reason.
  case failed(String)
  /// The task had not finished when the wait ended.
  case timedOut(id: String)
  /// The task cannot be cancelled (its kind cannot, or it has finished).
  case notCancellable(id: String, reason: String)

  public var description: String {
    switch self {
    case .notFound(let id): "no task with ID \"\(id)\" exists"
    case .nodeUnavailable(let node, let reason): "node \(node) cannot run tasks: \(reason)"
    case .unknownKind(let name): "no kind of task is called \"\(name)\" in this release"
    case .invalidArguments(let task, let reason): "invalid arguments for task \(task): \(reason)"
    case .failed(let reason): reason
    case .timedOut(let id): "task \(id) has not finished yet; follow it with its ID"
    case .notCancellable(let id, let reason): "task \(id) cannot be cancelled: \(reason)"
    }
  }
}
