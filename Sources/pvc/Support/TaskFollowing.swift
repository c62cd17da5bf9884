import ArgumentParser
import PVCKit

/// Whether to follow a queued task (`--wait`, the default) or only queue it (`--no-wait`).
struct TaskWaiting: ParsableArguments {
  @Flag(name: .customLong("wait"), help: "Follow the task until it ends (the default).") var wait = false
  @Flag(name: .customLong("no-wait"), help: "Only queue the task.") var noWait = false
}

/// Follows a queued task to its end with a progress bar (unless `--no-wait`), printing its result.
func follow(_ queued: ClusterTask, _ waiting: TaskWaiting, _ cluster: PVCCluster) async throws {
  guard !waiting.noWait else {
    output("Queued as task \(queued.id) on \(queued.runOn).")
    return
  }
  try await followTask(queued, cluster)
}

/// Follows a task to its end with a progress bar; prints its result, or fails with its reason.
func followTask(_ queued: ClusterTask, _ cluster: PVCCluster) async throws {
  var task = queued
  while !task.state.isFinished {
    Progress.bar(current: task.current, total: task.total, status: task.status)
    try await Task.sleep(for: .milliseconds(250))
    task = try await cluster.tasks.task(task.id)
  }
  Progress.clear()
  guard task.state == .success else { throw CLIError(task.status, kind: .failed) }
  output(task.status)
}
