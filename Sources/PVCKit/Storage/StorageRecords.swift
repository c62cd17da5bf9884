/// Reads the storage records the primary and the storage operations keep in
/// ZooKeeper (`/ceph/pools`, `/ceph/volumes`, `/ceph/snapshots`, `/ceph/osds`),
/// in pipelined batches. Names that cannot be objects are reported and left out.
struct StorageRecords: Sendable {
  let zookeeper: ZooKeeper
  let reads: any ClusterReads

  init(zookeeper: ZooKeeper, reads: (any ClusterReads)? = nil) {
    self.zookeeper = zookeeper
    self.reads = reads ?? zookeeper
  }

  /// Every pool, sorted by name.
  func pools() async throws -> [PoolInfo] {
    let parent = Layout.base.path(.pools)
    let checked = Layout.refs(try await reads.childrenMany([parent])[0] ?? [], under: parent, Layout.pool)
    let records = try await reads.records(checked.refs)
    let volumeParents = try checked.names.map { try Layout.volumes(inPool: $0) }
    let volumes = try await reads.childrenMany(volumeParents)
    await RecordProblems.report(checked.problems + records.flatMap(\.problems), zookeeper: zookeeper)
    return zip(checked.names, zip(records, volumes)).map { name, pair in
      let (record, volumes) = pair
      return PoolInfo(
        name: name, volumeCount: volumes?.count ?? 0, tier: record.value(.tier), pgs: record.count(.pgs) ?? 0,
        stats: StorageStats.object(record[.stats]))
    }.sorted { $0.name < $1.name }
  }

  /// The volumes of `pool` (or every pool), sorted by pool and name.
  func volumes(pool: String? = nil) async throws -> [VolumeInfo] {
    let base = Layout.base.path(.volumes)
    let pools = if let pool { [pool] } else { try await reads.childrenMany([base])[0] ?? [] }
    let poolParents = Layout.refs(pools, under: base, Layout.volumes(inPool:))
    let children = try await reads.childrenMany(poolParents.refs)
    var problems = poolParents.problems
    var refs: [(pool: String, name: String, ref: ObjectRef<VolumeKey>)] = []
    for (pool, names) in zip(poolParents.names, children) {
      let checked = Layout.refs(names ?? [], under: base + "/" + pool) { try Layout.volume($0, pool: pool) }
      problems += checked.problems
      refs += zip(checked.names, checked.refs).map { (pool, $0, $1) }
    }
    let records = try await reads.records(refs.map(\.ref))
    problems += records.flatMap(\.problems)
    await RecordProblems.report(problems, zookeeper: zookeeper)
    return zip(refs, records).map { entry, record in
      VolumeInfo(name: entry.name, pool: entry.pool, stats: Self.shown(StorageStats.object(record[.stats])))
    }.sorted { ($0.pool, $0.name) < ($1.pool, $1.name) }
  }

  /// The snapshots of one pool and volume (or all), sorted by pool, volume and name.
  func snapshots(pool: String? = nil, volume: String? = nil) async throws -> [VolumeSnapshotInfo] {
    let base = Layout.base.path(.snapshots)
    let pools = if let pool { [pool] } else { try await reads.childrenMany([base])[0] ?? [] }
    let poolParents = Layout.refs(pools, under: base, Layout.snapshots(inPool:))
    var problems = poolParents.problems
    var volumeParents: [(pool: String, volume: String, path: String)] = []
    let volumeLists = try await reads.childrenMany(poolParents.refs)
    for (pool, volumes) in zip(poolParents.names, volumeLists) {
      let wanted = volume.map { name in (volumes ?? []).filter { $0 == name } } ?? (volumes ?? [])
      let checked = Layout.refs(wanted, under: base + "/" + pool) { try Layout.snapshots(ofVolume: $0, pool: pool) }
      problems += checked.problems
      volumeParents += zip(checked.names, checked.refs).map { (pool, $0, $1) }
    }
    let snapshotLists = try await reads.childrenMany(volumeParents.map(\.path))
    var refs: [(parent: (pool: String, volume: String, path: String), name: String, ref: ObjectRef<SnapshotKey>)] = []
    for (parent, names) in zip(volumeParents, snapshotLists) {
      let checked = Layout.refs(names ?? [], under: parent.path) {
        try Layout.snapshot($0, volume: parent.volume, pool: parent.pool)
      }
      problems += checked.problems
      refs += zip(checked.names, checked.refs).map { (parent, $0, $1) }
    }
    let records = try await reads.records(refs.map(\.ref))
    problems += records.flatMap(\.problems)
    await RecordProblems.report(problems, zookeeper: zookeeper)
    return zip(refs, records).map { entry, record in
      VolumeSnapshotInfo(
        pool: entry.parent.pool, volume: entry.parent.volume, snapshot: entry.name,
        stats: StorageStats.object(record[.stats]))
    }.sorted { ($0.pool, $0.volume, $0.snapshot) < ($1.pool, $1.volume, $1.snapshot) }
  }

  /// Every OSD, sorted by ID (numerically).
  func osds() async throws -> [OSDInfo] {
    let parent = Layout.base.path(.osds)
    let checked = Layout.refs(try await reads.childrenMany([parent])[0] ?? [], under: parent, Layout.osd)
    let records = try await reads.records(checked.refs)
    await RecordProblems.report(checked.problems + records.flatMap(\.problems), zookeeper: zookeeper)
    return zip(checked.names, records).map { id, record in
      OSDInfo(
        id: id, fsid: record.value(.osdFSID), node: record.value(.node), device: record.value(.device),
        isSplit: ["true", "1", "yes"].contains(record.value(.isSplit).lowercased()), dbDevice: record.value(.dbDevice),
        stats: StorageStats.object(record[.stats]))
    }.sorted { (Int($0.id) ?? Int.max, $0.id) < (Int($1.id) ?? Int.max, $1.id) }
  }

  /// Upstream shows a volume's size in its human form.
  static func shown(_ stats: JSONValue) -> JSONValue {
    guard case .object(var fields) = stats, let size = fields["size"] else { return stats }
    if case .string = size { return stats }
    fields["size"] = .string(StorageRules.human(UInt64(max(0, StorageStats.number(size)))))
    return .object(fields)
  }
}
