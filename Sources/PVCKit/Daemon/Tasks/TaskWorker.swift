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
  /// The node's libvirt daemon, for hot-plug.
  var libvirt: LibvirtConnection? = nil
  /// The provisioner's database (`database.mariadb.api`), for creates.
  var provisioner: ProvisionerLink? = nil
  /// Where tasks keep scratch files.
  var scratchDirectory = "/run/pvc/tasks"
  /// Which VM definitions the cluster accepts (for tasks that define VMs).
  var policy = DomainPolicy.strict
  /// What the automatic backup and mirror tasks do.
  var automation = TaskAutomation()
  /// The tasks of each limited kind running now (``TaskKind/concurrencyLimit``).
  let slots = TaskSlots()

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
      zookeeper: zookeeper, node: identity.name, progress: progress, storage: storage, libvirt: libvirt,
      peerLibvirtURI: identity.peerURI, provisioner: provisioner,
      scratchDirectory: scratchDirectory, policy: policy, automation: automation)
    let cancellable = TaskKinds.kind(named: task.name)?.isCancellable == true
    let marker = try? Layout.taskCancel(task.id)
    if cancellable, let marker, (try? await zookeeper.exists(marker)) != nil {
      await progress.finish(.failure, status: "Cancelled before it started")
      logger.info("task \(task.id) (\(task.name)) cancelled before it started")
      return
    }
    let limit = TaskKinds.kind(named: task.name)?.concurrencyLimit
    let slots = slots
    let work = Task {
      guard let limit else { return try await TaskKinds.run(task, context: context) }
      try await slots.take(task.name, limit: limit) {
        await progress.update(current: 0, total: 1, status: "Waiting for one of \(limit) places")
      }
      do {
        let result = try await TaskKinds.run(task, context: context)
        await slots.give(task.name)
        return result
      } catch {
        await slots.give(task.name)
        throw error
      }
    }
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

/// The number of running tasks of each kind on this node, for kinds with a concurrency limit; tasks over the
/// limit wait for a place in the order they asked (a cancelled one leaves the queue).
actor TaskSlots {
  private var running: [String: Int] = [:]
  private var waiting: [String: [(id: UInt64, continuation: CheckedContinuation<Void, any Error>)]] = [:]
  private var nextID: UInt64 = 0

  /// Waits for a place for a task of `kind` while `limit` of them run; `waited` is told when it has to wait.
  func take(_ kind: String, limit: Int, waited: @Sendable () async -> Void) async throws {
    if running[kind, default: 0] < limit {
      running[kind, default: 0] += 1
      return
    }
    await waited()
    nextID += 1
    let id = nextID
    try await withTaskCancellationHandler {
      try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
        if Task.isCancelled {
          continuation.resume(throwing: CancellationError())
        } else {
          waiting[kind, default: []].append((id, continuation))
        }
      }
    } onCancel: {
      Task { await self.leave(kind, id: id) }
    }
  }

  /// Gives a place back: to the next waiting task of the kind, if any.
  func give(_ kind: String) {
    if var queue = waiting[kind], !queue.isEmpty {
      let next = queue.removeFirst()
      waiting[kind] = queue
      next.continuation.resume()  // the place passes on; the count stays
    } else {
      running[kind] = max(0, running[kind, default: 0] - 1)
    }
  }

  /// Takes a cancelled task out of the queue.
  private func leave(_ kind: String, id: UInt64) {
    guard let index = waiting[kind]?.firstIndex(where: { $0.id == id }) else { return }
    let gone = waiting[kind]!.remove(at: index)
    gone.continuation.resume(throwing: CancellationError())
  }
}
