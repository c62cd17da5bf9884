import CZooKeeper

extension ZooKeeper {
  /// Creates a node.
  ///
  /// - Parameters:
  ///   - path: the node's path; its parent must exist.
  ///   - data: the node's data.
  ///   - mode: persistent or ephemeral, optionally sequential.
  ///   - restoreOnExpiry: for ``CreateMode/ephemeral`` nodes, re-create the node
  ///     (with its latest data written through this client) when a new session
  ///     replaces an expired one.
  /// - Returns: the created path (with the sequence suffix for sequential modes).
  /// - Throws: ``ZooKeeperError`` (``ZooKeeperError/Code/nodeExists``,
  ///   ``ZooKeeperError/Code/noNode`` for a missing parent...).
  @discardableResult
  public func create(
    _ path: String, data: [UInt8] = [], mode: CreateMode = .persistent, restoreOnExpiry: Bool = true
  ) async throws -> String {
    let created: String? = try await perform("create", path, retry: .unsentOnly) { session, done in
      session.create(path, data: data, flags: mode.flags, done)
    }
    if mode == .ephemeral && restoreOnExpiry {
      state.withLock { $0.ephemerals[path] = data }
    }
    return created ?? path
  }

  /// Creates a node whose data is a UTF-8 string.
  @discardableResult
  public func create(_ path: String, _ value: String, mode: CreateMode = .persistent) async throws -> String {
    try await create(path, data: Array(value.utf8), mode: mode)
  }

  /// Gives nodes the members' ACL (every right for clients with this client's
  /// credentials, reading for anyone): how a tree written before ACLs were
  /// switched on is protected. Pipelined; nodes deleted meanwhile are skipped.
  /// - Throws: ``ZooKeeperError/Code/badArguments`` without credentials.
  @discardableResult
  public func protect(_ paths: [String]) async throws -> Int {
    guard credentials != nil else { throw ZooKeeperError(.badArguments, operation: "protect") }
    try await withThrowingTaskGroup(of: Void.self) { group in
      for (index, path) in paths.enumerated() {
        if index >= 256 { try await group.next() }  // at most 256 in flight
        group.addTask {
          do {
            let _: Bool? = try await self.perform("set ACL", path, retry: .unsentOnly) { session, done in
              session.protect(path) { code in done(code, true) }
            }
          } catch let error as ZooKeeperError where error.code == .noNode {}
        }
      }
      try await group.waitForAll()
    }
    return paths.count
  }

  /// Replaces a node's data.
  ///
  /// - Parameter version: when given, the write happens only if the node is at
  ///   this version; otherwise it fails with ``ZooKeeperError/Code/badVersion``.
  /// - Returns: the node's new metadata.
  @discardableResult
  public func setData(_ path: String, data: [UInt8], version: Int32? = nil) async throws -> ZNodeStat {
    let stat: ZNodeStat? = try await perform("set", path, retry: .unsentOnly) { session, done in
      session.set(path, data: data, version: version ?? -1, done)
    }
    state.withLock { s in
      if s.ephemerals[path] != nil { s.ephemerals[path] = data }
    }
    return stat!
  }

  /// Replaces a node's data with a UTF-8 string.
  @discardableResult
  public func set(_ path: String, _ value: String, version: Int32? = nil) async throws -> ZNodeStat {
    try await setData(path, data: Array(value.utf8), version: version)
  }

  /// Deletes a node that has no children.
  ///
  /// - Parameter version: when given, deletes only if the node is at this version.
  public func delete(_ path: String, version: Int32? = nil) async throws {
    let _: Bool? = try await perform("delete", path, retry: .unsentOnly) { session, done in
      session.delete(path, version: version ?? -1) { code in done(code, true) }
    }
    _ = state.withLock { $0.ephemerals.removeValue(forKey: path) }
  }

  /// Deletes a node and everything under it. Succeeds if the node is already gone.
  ///
  /// The tree is listed level by level with pipelined reads, then deleted leaves
  /// first in transactions of up to `batchSize` nodes. It is not atomic as a whole.
  public func deleteRecursively(_ path: String, batchSize: Int = 500) async throws {
    let paths = try await subtree(path)
    for chunk in stride(from: paths.count, to: 0, by: -batchSize) {
      let slice = paths[max(0, chunk - batchSize)..<chunk].reversed()
      try await multi(slice.map { .delete(path: $0) })
    }
    state.withLock { s in
      for p in paths { s.ephemerals.removeValue(forKey: p) }
    }
  }

  /// Creates `path` and any missing parents as empty persistent nodes.
  public func ensurePath(_ path: String) async throws {
    var prefix = ""
    var missing: [String] = []
    for part in path.split(separator: "/") {
      prefix += "/" + part
      missing.append(prefix)
    }
    let found = try await existsMany(missing)
    for (p, stat) in zip(missing, found) where stat == nil {
      do {
        try await create(p, data: [])
      } catch let error as ZooKeeperError where error.code == .nodeExists {
        continue
      }
    }
  }

  /// Submits many independent writes back to back and waits for all of them.
  ///
  /// Unlike ``multi(_:)`` this is not atomic: each operation succeeds or fails
  /// on its own. Use it to write many unrelated nodes quickly.
  /// - Returns: one result per operation, in order.
  public func pipeline(_ operations: [ZooKeeperOperation]) async throws -> [Result<
    ZooKeeperOperationResult, ZooKeeperError
  >] {
    if operations.isEmpty { return [] }
    let session = try await activeSession()
    let batch = BatchState<ZooKeeperOperationResult>(count: operations.count)
    for (index, op) in operations.enumerated() {
      let rc: Int32
      switch op {
      case .create(let path, let data, let mode):
        rc = session.create(path, data: data, flags: mode.flags) { code, created in
          batch.complete(index, code: code, value: created.map { .created(path: $0) })
        }
      case .setData(let path, let data, let version):
        rc = session.set(path, data: data, version: version ?? -1) { code, stat in
          batch.complete(index, code: code, value: stat.map { .set($0) })
        }
      case .delete(let path, let version):
        rc = session.delete(path, version: version ?? -1) { code in
          batch.complete(index, code: code, value: .deleted)
        }
      case .check(let path, let version):
        rc = session.exists(path, watch: false) { code, stat in
          let matches = code == ZOK.rawValue && stat?.version == version
          batch.complete(index, code: matches || code != ZOK.rawValue ? code : ZBADVERSION.rawValue, value: .checked)
        }
      }
      if rc != ZOK.rawValue { batch.complete(index, code: rc, value: nil) }
    }
    let (values, codes) = await batch.wait()
    return zip(operations, zip(values, codes)).map { op, outcome in
      let (value, code) = outcome
      if code == ZOK.rawValue, let value { return .success(value) }
      return .failure(ZooKeeperError(returnCode: code, operation: op.name, path: op.path))
    }
  }
}
