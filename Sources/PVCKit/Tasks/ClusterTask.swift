public import Foundation

/// Where a task stands (upstream's Celery state names).
public enum TaskState: String, Sendable, Hashable, Codable, CaseIterable {
  /// Queued, not yet taken by its node.
  case pending = "PENDING"
  /// Being carried out.
  case running = "RUNNING"
  /// Finished successfully.
  case success = "SUCCESS"
  /// Finished with an error.
  case failure = "FAILURE"

  /// Whether the task has finished.
  public var isFinished: Bool { self == .success || self == .failure }
}

/// A piece of long work (a flush, a migration, later OSD and provisioning jobs)
/// queued in ZooKeeper and carried out by the `pvcd` of the node it names, with
/// its progress. Encodes as upstream's task status (`state`, `current`, `total`,
/// `status`) plus its identity.
public struct ClusterTask: Codable, Sendable, Hashable {
  /// Eight hexadecimal digits, as upstream's task ids.
  public var id: String
  /// What the task does, such as `node.flush` or `vm.flush_locks`.
  public var name: String
  /// The node whose daemon carries it out.
  public var runOn: String
  /// The task's inputs (its kind's ``TaskKind/Arguments`` as a JSON object).
  public var arguments: [String: JSONValue]
  public var state: TaskState
  /// Steps done.
  public var current: Int
  /// Steps in all.
  public var total: Int
  /// What is happening now, or the result, for people.
  public var status: String
  /// When it was queued and last changed (seconds since 1970).
  public var created: Double
  public var updated: Double

  enum CodingKeys: String, CodingKey {
    case id, name, arguments, state, current, total, status, created, updated
    case runOn = "run_on"
  }

  /// Creates a queued task.
  public init(id: String, name: String, runOn: String, arguments: [String: JSONValue], now: Date = Date()) {
    self.id = id
    self.name = name
    self.runOn = runOn
    self.arguments = arguments
    state = .pending
    current = 0
    total = 1
    status = "queued"
    created = now.timeIntervalSince1970
    updated = created
  }

  /// A new task id: eight hexadecimal digits of a random UUID.
  public static func newID() -> String { String(UUID().uuidString.lowercased().prefix(8)) }

  /// Whether a string is a task id.
  public static func isValidID(_ id: String) -> Bool {
    id.utf8.count == 8 && id.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
  }

  /// Argument names whose values are secrets (another cluster's API key): stored for the node that runs the task,
  /// never shown.
  public static let secretArguments: Set<String> = ["destination_api_key"]

  /// The task with its secret arguments hidden.
  public var redacted: ClusterTask {
    var task = self
    for key in Self.secretArguments where task.arguments[key] != nil { task.arguments[key] = .string("********") }
    return task
  }
}
