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

  /// Every operation of this area.
  static let taskOperations: [OperationSpec] = [taskList, taskInfo]
}
