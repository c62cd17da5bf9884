import Foundation
import Logging

/// Carries out the tasks queued for this node (`/pvckit/tasks`): claims each
/// pending one with a versioned write (so it runs once), runs it, reports its
/// progress and result, and removes finished tasks once they are old.
struct TaskWorker: Sendable {
  let zookeeper: ZooKeeper
  let identity: NodeIdentity
  /// How long finished tasks are kept.
  var retention: Duration = .seconds(3600)
  let logger: Logger
  /// The node's storage agent (storage on), for tasks that reach Ceph.
  var storage: NodeStorage? = nil
  /// The provisioner's database (`database.mariadb.api`), for creates.
  var provisioner: ProvisionerLink? = nil
  /// Where tasks keep scratch files.
  var scratchDirectory = "/run/pvc/tasks"

  /// Runs until cancelled.
  func run() async {
    try? await zookeeper.ensurePath(Layout.tasksRoot)
    var seen: Set<String> = []
    var lastCleanup = ContinuousClock.now
    await withDiscardingTaskGroup { group in
      for await children in zookeeper.watchChildren(Layout.tasksRoot) {
        let ids = Set(children?.names ?? [])
        for id in ids.subtracting(seen) {
          guard let claimed = await claim(id) else { continue }
          group.addTask { await carry(out: claimed) }
        }
        seen = ids
        if ContinuousClock.now - lastCleanup > .seconds(60) {
          lastCleanup = .now
          await removeOld()
        }
      }
    }
  }

  /// Takes a pending task of this node; `nil` if it is not ours or another claim won.
  private func claim(_ id: String) async -> ClusterTask? {
    guard let path = try? Layout.task(id), let data = try? await zookeeper.get(path),
      var task = try? DirectTaskOperations.decode(data.bytes), task.runOn == identity.name, task.state == .pending
    else { return nil }
    task.state = .running
    task.status = "started on \(identity.name)"
    task.updated = Date().timeIntervalSince1970
    guard let bytes = try? DirectTaskOperations.encode(task),
      (try? await zookeeper.setData(path, data: bytes, version: data.stat.version)) != nil
    else { return nil }
    return task
  }

  /// Runs a claimed task to its end and records the result. A cancellable task is cancelled when its cancel
  /// marker appears (before it starts, it does not start).
  private func carry(out task: ClusterTask) async {
    logger.info("task \(task.id) (\(task.name)) started")
    let progress = TaskProgress(zookeeper: zookeeper, task: task)
    let context = TaskContext(
      zookeeper: zookeeper, node: identity.name, progress: progress, storage: storage, provisioner: provisioner,
      scratchDirectory: scratchDirectory)
    let cancellable = TaskKinds.kind(named: task.name)?.isCancellable == true
    let marker = try? Layout.taskCancel(task.id)
    if cancellable, let marker, (try? await zookeeper.exists(marker)) != nil {
      await progress.finish(.failure, status: "Cancelled before it started")
      logger.info("task \(task.id) (\(task.name)) cancelled before it started")
      return
    }
    let work = Task { try await TaskKinds.run(task, context: context) }
    let watcher = Task {
      guard cancellable, let marker else { return }
      for await value in zookeeper.watchData(marker) where value != nil {
        logger.info("task \(task.id) (\(task.name)) cancelled by request")
        work.cancel()
        return
      }
    }
    defer { watcher.cancel() }
    do {
      let result = try await withTaskCancellationHandler {
        try await work.value
      } onCancel: {
        work.cancel()
      }
      await progress.finish(.success, status: result)
      logger.info("task \(task.id) (\(task.name)) succeeded: \(result)")
    } catch {
      let cancelled = error is CancellationError || work.isCancelled
      let status = cancelled ? "Cancelled: \(await progress.task.status)" : "\(error)"
      await progress.finish(.failure, status: status)
      logger.warning("task \(task.id) (\(task.name)) failed: \(status)")
    }
  }

  /// Deletes finished tasks older than the retention time.
  private func removeOld() async {
    let operations = DirectTaskOperations(zookeeper: zookeeper)
    guard let tasks = try? await operations.list() else { return }
    let cutoff = Date().timeIntervalSince1970 - Double(retention.components.seconds)
    for task in tasks where task.state.isFinished && task.updated < cutoff {
      if let marker = try? Layout.taskCancel(task.id) { try? await zookeeper.delete(marker) }
      if let path = try? Layout.task(task.id) { try? await zookeeper.delete(path) }
    }
  }
}

/// Writes a running task's progress.
actor TaskProgress {
  let zookeeper: ZooKeeper
  private(set) var task: ClusterTask

  init(zookeeper: ZooKeeper, task: ClusterTask) {
    self.zookeeper = zookeeper
    self.task = task
  }

  /// Records how far the task has come.
  func update(current: Int, total: Int, status: String) async {
    guard (task.current, task.total, task.status) != (current, total, status) else { return }
    task.current = current
    task.total = max(total, 1)
    task.status = status
    await write()
  }

  /// Records the task's end.
  func finish(_ state: TaskState, status: String) async {
    task.state = state
    task.status = status
    if state == .success { task.current = task.total }
    await write()
  }

  private func write() async {
    task.updated = Date().timeIntervalSince1970
    guard let path = try? Layout.task(task.id), let bytes = try? DirectTaskOperations.encode(task) else { return }
    _ = try? await zookeeper.setData(path, data: bytes)
  }
}
