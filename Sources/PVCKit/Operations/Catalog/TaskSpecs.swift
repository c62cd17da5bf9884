/// The operations on tasks (`/tasks`).
extension OperationSpec {
  /// Tasks by node: running, queued and recently finished
  public static let taskList = OperationSpec(
    "task.list", .get, "/tasks", summary: "Tasks by node: running, queued and recently finished",
    responses: [200: "object"])

  /// A task's state and progress
  public static let taskInfo = OperationSpec(
    "task.info", .get, "/tasks/{task_id}", summary: "A task's state and progress",
    responses: [200: "object", 404: "Message"])

  /// Cancel a task
  public static let taskCancel = OperationSpec(
    "task.cancel", .post, "/tasks/{task_id}/cancel", summary: "Cancel a running or queued task",
    responses: [200: "object", 400: "Message", 404: "Message"],
    notes: [
      "PVCKit extension: upstream's Celery tasks cannot be cancelled through its API",
      "Only kinds that can stop part-way (provisioner.create) accept it; the task undoes what it made and fails "
        + "with a status that says it was cancelled",
    ])

  /// Every operation of this area.
  static let taskOperations: [OperationSpec] = [taskList, taskInfo, taskCancel]
}
