import Foundation

/// Task operations performed directly on ZooKeeper: each task is one node,
/// `/pvckit/tasks/<id>`, holding its JSON.
struct DirectTaskOperations: TaskOperations {
  let zookeeper: ZooKeeper

  func submit(_ name: String, runOn node: String, arguments: [String: JSONValue]) async throws -> ClusterTask {
    let state = try await zookeeper.string(try Layout.node(node).path(.daemonState))
    guard let state else { throw NodeError.notFound(node) }
    guard state == NodeDaemonState.run.rawValue else {
      throw TaskError.nodeUnavailable(node: node, reason: "its daemon is \(state), not run")
    }
    let task = ClusterTask(id: ClusterTask.newID(), name: name, runOn: node, arguments: arguments)
    try await zookeeper.ensurePath(Layout.tasksRoot)
    try await zookeeper.create(try Layout.task(task.id), data: try Self.encode(task))
    return task
  }

  func list() async throws -> [ClusterTask] {
    guard try await zookeeper.exists(Layout.tasksRoot) != nil else { return [] }
    let checked = Layout.refs(try await zookeeper.children(Layout.tasksRoot), under: Layout.tasksRoot, Layout.task)
    var problems = checked.problems
    var tasks: [ClusterTask] = []
    for (path, value) in zip(checked.refs, try await zookeeper.getMany(checked.refs)) {
      guard let value else { continue }  // finished and removed meanwhile
      do {
        tasks.append(try Self.decode(value.bytes).redacted)
      } catch {
        problems.append(RecordProblem(path: path, problem: "not a task record (\(error))"))
      }
    }
    await RecordProblems.report(problems, zookeeper: zookeeper)
    return tasks.sorted { ($0.created, $0.id) < ($1.created, $1.id) }
  }

  func task(_ id: String) async throws -> ClusterTask {
    guard ClusterTask.isValidID(id) else { throw TaskError.notFound(id) }
    do {
      return try Self.decode(try await zookeeper.get(try Layout.task(id)).bytes).redacted
    } catch let error as ZooKeeperError where error.code == .noNode {
      throw TaskError.notFound(id)
    }
  }

  func wait(for id: String, timeout: Duration) async throws -> ClusterTask {
    let path = try Layout.task(id)
    _ = await zookeeper.wait(for: path, timeout: timeout) { text in
      guard let text else { return true }
      return (try? Self.decode(Array(text.utf8)))?.state.isFinished ?? false
    }
    return try await task(id)
  }

  func cancel(_ id: String) async throws -> ClusterTask {
    let task = try await task(id)
    guard !task.state.isFinished else {
      throw TaskError.notCancellable(id: id, reason: "it has finished (\(task.state.rawValue))")
    }
    guard TaskKinds.kind(named: task.name)?.isCancellable == true else {
      throw TaskError.notCancellable(id: id, reason: "a \(task.name) task runs to its end")
    }
    do {
      try await zookeeper.create(
        try Layout.taskCancel(id), "requested at \(Date().timeIntervalSince1970)")
    } catch let error as ZooKeeperError where error.code == .nodeExists {
      // Asked already.
    } catch let error as ZooKeeperError where error.code == .noNode {
      throw TaskError.notFound(id)
    }
    return try await self.task(id)
  }

  static func encode(_ task: ClusterTask) throws -> [UInt8] {
    Array(try UpstreamJSON.encode(task))
  }

  static func decode(_ bytes: [UInt8]) throws -> ClusterTask {
    try UpstreamJSON.decode(ClusterTask.self, from: Data(bytes))
  }
}
