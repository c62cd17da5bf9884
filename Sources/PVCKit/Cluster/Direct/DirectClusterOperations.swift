/// Cluster-wide operations performed directly on ZooKeeper.
struct DirectClusterOperations: ClusterOperations {
  let zookeeper: ZooKeeper
  /// What VM definitions a restore may bring.
  var policy = DomainPolicy.strict
  /// The connection's watch-fed views, once it is followed.
  var views: ViewSlot?

  func initialize(overwrite: Bool) async throws {
    let base = Layout.base
    let markers = try await zookeeper.existsMany([base.path(.schemaVersion), base.path(.primaryNode)])
    let populated = markers.contains { $0 != nil }
    if populated && !overwrite { throw ClusterError.alreadyInitialized }
    if populated {
      for top in Self.topLevelPaths { try await zookeeper.deleteRecursively(top) }
    }
    try await SchemaMaintenance(zookeeper: zookeeper).fillMissingKeys(in: Layout.currentVersion)
  }

  /// The top-level trees of the layout (every version), deleted by an overwriting initialize.
  static var topLevelPaths: [String] {
    var seen: [String] = []
    for spec in SchemaElement.base.allSpecs where !spec.path.isEmpty {
      let top = "/" + spec.path.split(separator: "/")[0]
      if !seen.contains(top) { seen.append(top) }
    }
    return seen
  }

  func status() async throws -> ClusterStatus {
    try await ClusterStatusReader(zookeeper: zookeeper, reads: views?.view?.reads).read()
  }

  func audit(last count: Int) async throws -> [AuditEntry] {
    try await AuditLog.entries(last: min(max(count, 0), AuditLog.limit), zookeeper: zookeeper)
  }

  func setMaintenance(_ enabled: Bool) async throws -> Bool {
    let path = Layout.base.path(.maintenance)
    let wanted = enabled ? "true" : "false"
    guard let current = try await zookeeper.getMany([path])[0] else {
      guard try await zookeeper.exists(Layout.base.path(.schemaVersion)) != nil else {
        throw ClusterError.notInitialized
      }
      try await zookeeper.create(path, wanted)
      return true
    }
    if current.string == wanted { return false }
    try await zookeeper.set(path, wanted, version: current.stat.version)
    return true
  }

  func backup() async throws -> ClusterBackup {
    let paths = try await zookeeper.subtree("/", excluding: Layout.foreignTrees)
    let nodes = try await zookeeper.getMany(paths)
    var entries: [String: String] = [:]
    for (path, node) in zip(paths, nodes) {
      guard let node, node.stat.ephemeralOwner == 0 else { continue }
      entries[path] = node.string
    }
    return ClusterBackup(entries: entries)
  }

  func restore(_ backup: ClusterBackup) async throws {
    try backup.check(policy: policy)
    let wanted = backup.entries.filter { path, _ in
      path != "/" && !Layout.foreignTrees.contains { path == $0 || path.hasPrefix($0 + "/") }
    }
    // Parents first: write one depth at a time, creating or replacing each node.
    let byDepth = Dictionary(grouping: wanted.keys) { $0.split(separator: "/").count }
    for depth in byDepth.keys.sorted() {
      let paths = byDepth[depth]!.sorted()
      let existing = try await zookeeper.existsMany(paths)
      let operations: [ZooKeeperOperation] = zip(paths, existing).map { path, stat in
        stat == nil ? .create(path, wanted[path]!) : .set(path, wanted[path]!)
      }
      for (operation, result) in zip(operations, try await zookeeper.pipeline(operations)) {
        if case .failure(let error) = result {
          throw error.code == .noNode ? ClusterError.invalidBackup("no parent for \(operation.path)") : error
        }
      }
    }
    // Then remove what the backup does not have (deepest first), sparing live sessions' ephemeral nodes.
    let present = try await zookeeper.subtree("/", excluding: Layout.foreignTrees)
    let stats = try await zookeeper.existsMany(present)
    let extra = zip(present, stats).compactMap { path, stat -> String? in
      guard path != "/", wanted[path] == nil, let stat, stat.ephemeralOwner == 0 else { return nil }
      return path
    }
    let deepestFirst = extra.sorted { $0.split(separator: "/").count > $1.split(separator: "/").count }
    for start in stride(from: 0, to: deepestFirst.count, by: 500) {
      let chunk = deepestFirst[start..<min(start + 500, deepestFirst.count)]
      _ = try await zookeeper.pipeline(chunk.map { .delete(path: $0) })
    }
  }

  func close() async {
    await zookeeper.close()
  }
}
