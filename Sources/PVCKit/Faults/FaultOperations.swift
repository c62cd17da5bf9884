/// How a fault listing is sorted (upstream's `sort_key`).
public enum FaultSortKey: String, Sendable, Hashable, CaseIterable {
  case firstReported = "first_reported"
  case lastReported = "last_reported"
  case acknowledgedAt = "acknowledged_at"
  case status
  case healthDelta = "health_delta"
  case message
}

/// The fault operations, implemented once per way of reaching a cluster.
public protocol FaultOperations: Sendable {
  /// Every fault, sorted by `key`: times and health deltas newest or largest
  /// first, status and message alphabetically.
  func list(sortedBy key: FaultSortKey) async throws -> [Fault]
  /// One fault.
  /// - Throws: ``FaultError/notFound(_:)``.
  func fault(_ id: String) async throws -> Fault
  /// Acknowledges faults: they stay listed but no longer lower the cluster's health.
  /// - Throws: ``FaultError/notFound(_:)`` (before changing anything) if one is missing.
  func acknowledge(_ ids: [String]) async throws
  /// Acknowledges every fault.
  func acknowledgeAll() async throws
  /// Deletes faults; a fault whose cause persists is raised again.
  /// - Throws: ``FaultError/notFound(_:)`` (before changing anything) if one is missing.
  func delete(_ ids: [String]) async throws
  /// Deletes every fault.
  func deleteAll() async throws
  /// Raises faults, or refreshes those already raised: a new fault is created
  /// with status `new`; an existing one keeps its first time and
  /// acknowledgement and gets the new time, delta and message.
  func report(_ reports: [FaultReport]) async throws
}

extension FaultOperations {
  /// Every fault, most recently reported first.
  public func list() async throws -> [Fault] { try await list(sortedBy: .lastReported) }
}

/// An error from a fault operation.
public enum FaultError: Error, Sendable, Hashable, CustomStringConvertible {
  /// No fault has this id.
  case notFound(String)

  public var description: String {
    switch self {
    case .notFound(let id): "no fault with ID \"\(id)\" exists"
    }
  }
}
