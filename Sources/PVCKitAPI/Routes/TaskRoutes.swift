import HTTPTypes
import Hummingbird
import PVCKit

/// `/tasks`: long work carried out by node daemons.
enum TaskRoutes {
  static let all: [APIRoute] = [
    APIRoute(.taskList) { call in
      let tasks = try await call.cluster.tasks.list()
      func byNode(_ states: [TaskState]) -> [String: [ClusterTask]] {
        Dictionary(grouping: tasks.filter { states.contains($0.state) }, by: \.runOn)
      }
      return try Responses.json([
        "active": byNode([.running]), "reserved": byNode([.pending]), "scheduled": [:],
        "finished": byNode([.success, .failure]),
      ])
    },
    APIRoute(.taskInfo) { call in
      try Responses.json(try await call.cluster.tasks.task(call.path("task_id")))
    },
    APIRoute(.taskCancel) { call in
      try Responses.json(try await call.cluster.tasks.cancel(call.path("task_id")))
    },
  ]

  /// Queues a task and answers as upstream does for Celery work: 202, the
  /// task's id, name and node, and a `Location` to follow it.
  static func accepted(_ task: ClusterTask) throws -> Response {
    var headers = HTTPFields()
    headers[.location] = "\(APIServer.prefix)/tasks/\(task.id)"
    return try Responses.json(
      ["task_id": task.id, "task_name": task.name, "run_on": task.runOn], status: .accepted, headers: headers)
  }

  /// Whether the client asked to follow long work itself (RFC 7240's `Prefer:
  /// respond-async`, which PVCKit's client sends) rather than have the request
  /// held open until the work is done (what upstream's client expects).
  static func prefersAsync(_ call: APICall) -> Bool {
    call.headers[values: HTTPField.Name("Prefer")!].contains { $0.lowercased().contains("respond-async") }
  }

  /// A request that waits, as a task of `kind` (PVCKit chooses its node):
  /// answered at once with 202 and the task to follow when the client prefers
  /// that, else with the task's result once it has finished (200, or 400 if it
  /// failed).
  static func waited<Kind: TaskKind>(_ call: APICall, _ kind: Kind.Type, _ arguments: Kind.Arguments) async throws
    -> Response
  {
    if prefersAsync(call) { return try accepted(try await call.cluster.queue(kind, arguments)) }
    do {
      return Responses.message(try await call.cluster.perform(kind, arguments))
    } catch TaskError.failed(let reason) {
      return Responses.message("ERROR: \(reason)", status: .badRequest)
    } catch TaskError.timedOut(let id) {
      return Responses.message(
        "ERROR: task \(id) has not finished; follow it at \(APIServer.prefix)/tasks/\(id)", status: .gatewayTimeout)
    }
  }
}
