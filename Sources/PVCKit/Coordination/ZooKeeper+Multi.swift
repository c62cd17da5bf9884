import CZooKeeper

extension ZooKeeper {
  /// Runs operations as one atomic transaction: all of them happen or none does.
  ///
  /// - Returns: one result per operation, in order.
  /// - Throws: ``ZooKeeperError`` naming the first operation that failed, e.g.
  ///   `multi[2] create /a/b: node already exists`.
  @discardableResult
  public func multi(_ operations: [ZooKeeperOperation]) async throws -> [ZooKeeperOperationResult] {
    if operations.isEmpty { return [] }
    let outcomes: [MultiStepOutcome]? = try await perform("multi", nil, retry: .unsentOnly) { session, done in
      session.multi(operations) { code, outcomes in
        done(code == ZOK.rawValue ? ZOK.rawValue : Self.failingCode(code, outcomes), outcomes)
      }
    }
    guard let outcomes else { throw ZooKeeperError(.other(ZSYSTEMERROR.rawValue), operation: "multi") }
    return try zip(operations, outcomes).enumerated().map { index, pair in
      let (op, outcome) = pair
      guard outcome.returnCode == ZOK.rawValue else {
        throw ZooKeeperError(returnCode: outcome.returnCode, operation: "multi[\(index)] \(op.name)", path: op.path)
      }
      switch op {
      case .create: return .created(path: outcome.createdPath ?? op.path)
      case .setData: return .set(outcome.stat!)
      case .delete: return .deleted
      case .check: return .checked
      }
    }
  }

  /// A failed transaction's code; the per-step codes say which step failed.
  private static func failingCode(_ code: Int32, _ outcomes: [MultiStepOutcome]) -> Int32 {
    // Report success to `perform` so the per-step errors (with their index) are thrown below,
    // unless no step carries an error (a connection-level failure).
    outcomes.contains { $0.returnCode != ZOK.rawValue && $0.returnCode != ZRUNTIMEINCONSISTENCY.rawValue }
      ? ZOK.rawValue : code
  }
}
