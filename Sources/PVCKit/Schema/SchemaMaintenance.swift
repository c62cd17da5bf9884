/// Checks, repairs and migrates the layout of a live cluster in ZooKeeper.
///
/// Repair fills every missing key of every object with its default; migration
/// applies the key differences between two schema versions (see ``KeyDiff``) to
/// every object, then records the new version. Both hold the lock on
/// `/schema/version` that upstream's daemons use for the same work, so the two
/// never run at once.
public struct SchemaMaintenance: Sendable {
  /// The client used.
  public let zookeeper: ZooKeeper

  /// Creates a maintainer over a connected client.
  public init(zookeeper: ZooKeeper) { self.zookeeper = zookeeper }

  /// What a migration did.
  public struct MigrationReport: Sendable, Hashable {
    /// The version before.
    public var from: Int
    /// The version after.
    public var to: Int
    /// Paths moved (old → new).
    public var moved: [String: String] = [:]
    /// Subtrees deleted.
    public var deleted: [String] = []
    /// Keys created with their defaults.
    public var created: [String] = []
  }

  /// The version recorded in `/schema/version`, or `nil` if the cluster has none.
  public func recordedVersion() async throws -> Int? {
    guard let text = try await zookeeper.string(Layout.base.path(.schemaVersion)) else { return nil }
    guard let version = Int(text.trimmingCharacters(in: .whitespacesAndNewlines)) else {
      throw SchemaError("the cluster's schema version '\(text)' is not a number")
    }
    return version
  }

  /// The node paths of every object, by element, found by listing the tree
  /// level by level with pipelined reads. SR-IOV and health plugin entries are
  /// not included: the node daemon re-creates them.
  public func objects() async throws -> [SchemaElement: [String]] {
    let base = Layout.base
    let collections: [(SchemaElement, String)] = [
      (.node, base.path(.nodes)), (.domain, base.path(.domains)), (.network, base.path(.networks)),
      (.osd, base.path(.osds)), (.pool, base.path(.pools)), (.faults, base.path(.faults)), (.logs, base.path(.logs)),
    ]
    var found: [SchemaElement: [String]] = [.base: [""]]
    let top = try await listed(collections.map(\.1) + [base.path(.volumes), base.path(.snapshots)])
    for (index, (element, _)) in collections.enumerated() { found[element] = top[index] }
    let volumePools = top[collections.count]
    let snapshotPools = top[collections.count + 1]

    let domains = found[.domain] ?? []
    let networks = found[.network] ?? []
    let nested = try await listed(
      domains.map { $0 + DomainKey.tags.spec.path } + domains.map { $0 + DomainKey.snapshots.spec.path }
        + networks.map { $0 + NetworkKey.reservations.spec.path } + networks.map { $0 + NetworkKey.leases.spec.path }
        + networks.map { $0 + NetworkKey.rulesIn.spec.path } + networks.map { $0 + NetworkKey.rulesOut.spec.path }
        + volumePools + snapshotPools)
    var cursor = 0
    func take(_ count: Int) -> [String] {
      defer { cursor += count }
      return nested[cursor..<cursor + count].flatMap { $0 }
    }
    found[.tag] = take(domains.count)
    found[.domainSnapshot] = take(domains.count)
    found[.reservation] = take(networks.count)
    found[.lease] = take(networks.count)
    found[.rule] = take(networks.count) + take(networks.count)
    found[.volume] = take(volumePools.count)
    let snapshotVolumes = take(snapshotPools.count)
    found[.snapshot] = try await listed(snapshotVolumes).flatMap { $0 }
    return found
  }

  /// Lists the children of each path, as full paths (absent parents give none).
  private func listed(_ parents: [String]) async throws -> [[String]] {
    let children = try await zookeeper.childrenMany(parents)
    return zip(parents, children).map { parent, names in (names ?? []).sorted().map { parent + "/" + $0 } }
  }

  /// Every key missing from the cluster in schema `version`, with the value to create it with.
  ///
  /// Each object's keys are checked by listing its node's children (one
  /// pipelined request per object and key parent), not by one read per key.
  public func missingKeys(in version: Int = Layout.currentVersion) async throws -> [(path: String, value: String)] {
    let objects = try await objects()
    var parents: [String] = []
    var expected: [(parentIndex: Int, path: String, name: String, spec: KeySpec)] = []
    for element in SchemaElement.allCases {
      let specs = element.specs(in: version).filter { !$0.path.isEmpty }
      let groups = Dictionary(grouping: specs) { spec in String(spec.path[..<spec.path.lastIndex(of: "/")!]) }
      for object in objects[element] ?? [] {
        for (relativeParent, keys) in groups {
          parents.append(object + relativeParent)
          for key in keys {
            let name = String(key.path[key.path.index(after: key.path.lastIndex(of: "/")!)...])
            expected.append((parents.count - 1, object + key.path, name, key))
          }
        }
      }
    }
    let listings = try await zookeeper.childrenMany(parents.map { $0.isEmpty ? "/" : $0 })
    var missing: [(path: String, value: String)] = []
    for key in expected where !(listings[key.parentIndex]?.contains(key.name) ?? false) {
      missing.append((key.path, key.path == Layout.base.path(.schemaVersion) ? String(version) : key.spec.defaultValue))
    }
    return missing.sorted { $0.path.split(separator: "/").count < $1.path.split(separator: "/").count }
  }

  /// Creates every missing key with its default (upstream's schema `apply`).
  /// - Returns: the paths created.
  @discardableResult
  public func fillMissingKeys(in version: Int = Layout.currentVersion) async throws -> [String] {
    let missing = try await missingKeys(in: version)
    var created: [String] = []
    // Parents are shallower, so creating one depth at a time never misses a parent.
    let byDepth = Dictionary(grouping: missing) { $0.path.split(separator: "/").count }
    for depth in byDepth.keys.sorted() {
      let batch = byDepth[depth]!
      let results = try await zookeeper.pipeline(batch.map { .create($0.path, $0.value) })
      for (key, result) in zip(batch, results) {
        switch result {
        case .success: created.append(key.path)
        case .failure(let error) where error.code == .nodeExists: continue
        case .failure(let error): throw error
        }
      }
    }
    return created
  }

  /// Brings the cluster's layout to schema `target` and records it.
  ///
  /// Keys removed between the versions are deleted with their subtrees, moved
  /// keys are moved (copy and delete in one transaction), and added keys are
  /// created with their defaults, for every object. Works in both directions.
  public func migrate(to target: Int = Layout.currentVersion) async throws -> MigrationReport {
    let lock = DistributedLock(client: zookeeper, path: Layout.base.path(.schemaVersion), mode: .exclusive)
    return try await lock.withLock(timeout: .seconds(30)) {
      let current = try await recordedVersion() ?? target
      var report = MigrationReport(from: current, to: target)
      let objects = try await objects()
      for (element, diff) in KeyDiff.between(version: current, and: target).sorted(by: {
        $0.key.rawValue < $1.key.rawValue
      }) {
        for object in objects[element] ?? [] {
          for move in diff.moved where try await zookeeper.exists(object + move.from) != nil {
            try await moveSubtree(from: object + move.from, to: object + move.to)
            report.moved[object + move.from] = object + move.to
          }
          for key in diff.removed where try await zookeeper.exists(object + key.path) != nil {
            try await zookeeper.deleteRecursively(object + key.path)
            report.deleted.append(object + key.path)
          }
        }
      }
      report.created = try await fillMissingKeys(in: target)
      try await zookeeper.set(Layout.base.path(.schemaVersion), String(target))
      return report
    }
  }

  /// Copies a subtree to a new place and deletes the original, atomically.
  private func moveSubtree(from source: String, to destination: String) async throws {
    let paths = try await zookeeper.subtree(source)
    let data = try await zookeeper.getMany(paths)
    var operations: [ZooKeeperOperation] = zip(paths, data).map { path, node in
      .create(path: destination + path.dropFirst(source.count), data: node?.bytes ?? [], mode: .persistent)
    }
    operations += paths.reversed().map { .delete(path: $0) }
    try await zookeeper.multi(operations)
  }
}
