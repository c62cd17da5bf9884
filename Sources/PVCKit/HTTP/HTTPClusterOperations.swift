import Foundation

/// Cluster operations through a PVC HTTP API.
struct HTTPClusterOperations: ClusterOperations {
  let client: APIClient

  func initialize(overwrite: Bool) async throws {
    _ = try await client.expect(
      .clusterInitialize, [], [("overwrite", String(overwrite)), ("yes-i-really-mean-it", "yes")])
  }

  func status() async throws -> ClusterStatus {
    try await client.expect(.clusterStatus).decode(ClusterStatus.self)
  }

  func setMaintenance(_ enabled: Bool) async throws -> Bool {
    let before = try await status().maintenance
    _ = try await client.expect(.clusterSetMaintenance, [], [("state", String(enabled))])
    return before != enabled
  }

  func backup() async throws -> ClusterBackup {
    try ClusterBackup(json: try await client.expect(.clusterBackup).body)
  }

  func restore(_ backup: ClusterBackup) async throws {
    let text = String(decoding: backup.jsonData(), as: UTF8.self)
    _ = try await client.expect(.clusterRestore, [], [("yes-i-really-mean-it", "yes"), ("cluster_data", text)])
  }

  func audit(last count: Int) async throws -> [AuditEntry] {
    try await client.expect(.clusterAudit, [], [("limit", String(count))]).decode([AuditEntry].self)
  }

  func close() async { client.close() }
}

/// Fault operations through a PVC HTTP API.
struct HTTPFaultOperations: FaultOperations {
  let client: APIClient

  func list(sortedBy key: FaultSortKey) async throws -> [Fault] {
    try await client.expect(.faultList, [], [("sort_key", key.rawValue)]).decode([Fault].self)
  }

  func fault(_ id: String) async throws -> Fault {
    let response = try await client.send(.faultInfo, [id])
    guard response.status != 404 else { throw FaultError.notFound(id) }
    guard response.status == 200, let fault = try response.decode([Fault].self).first else {
      throw response.refusal
    }
    return fault
  }

  func acknowledge(_ ids: [String]) async throws {
    for id in ids { _ = try await fault(id) }
    for id in ids { _ = try await client.expect(.faultAcknowledge, [id]) }
  }

  func acknowledgeAll() async throws { _ = try await client.expect(.faultAcknowledgeAll) }

  func delete(_ ids: [String]) async throws {
    for id in ids { _ = try await fault(id) }
    for id in ids { _ = try await client.expect(.faultDelete, [id]) }
  }

  func deleteAll() async throws { _ = try await client.expect(.faultDeleteAll) }

  func report(_ reports: [FaultReport]) async throws {
    throw APIClientError.badResponse("answer: faults are raised by the cluster itself, not through the API")
  }
}

/// Task operations through a PVC HTTP API.
struct HTTPTaskOperations: TaskOperations {
  let client: APIClient

  func submit(_ name: String, runOn node: String, arguments: [String: JSONValue]) async throws -> ClusterTask {
    throw APIClientError.badResponse("answer: tasks are queued by the API's own endpoints")
  }

  func list() async throws -> [ClusterTask] {
    let groups = try await client.expect(.taskList).decode([String: [String: [ClusterTask]]].self)
    return groups.values.flatMap { $0.values.flatMap { $0 } }.sorted { ($0.created, $0.id) < ($1.created, $1.id) }
  }

  func task(_ id: String) async throws -> ClusterTask {
    let response = try await client.send(.taskInfo, [id])
    guard response.status != 404 else { throw TaskError.notFound(id) }
    guard response.status == 200 else { throw response.refusal }
    return try response.decode(ClusterTask.self)
  }

  func cancel(_ id: String) async throws -> ClusterTask {
    guard ClusterTask.isValidID(id) else { throw TaskError.notFound(id) }
    let response = try await client.send(.taskCancel, [id])
    guard response.status != 404 else { throw TaskError.notFound(id) }
    guard response.status == 200 else { throw response.refusal }
    return try response.decode(ClusterTask.self)
  }

  func wait(for id: String, timeout: Duration) async throws -> ClusterTask {
    let deadline = ContinuousClock.now + timeout
    while true {
      let current = try await task(id)
      if current.state.isFinished || ContinuousClock.now >= deadline { return current }
      try await Task.sleep(for: .milliseconds(250))
    }
  }
}
