import Foundation

#if canImport(FoundationNetworking)
  import FoundationNetworking
#endif

/// Storage operations performed directly: listings from the ZooKeeper records,
/// changes through this program's own Ceph client (``CephLink``), recorded in
/// upstream's layout.
struct DirectStorageOperations: StorageOperations {
  let zookeeper: ZooKeeper
  let ceph: CephLink
  /// The connection's watch-fed views, once it is followed.
  var views: ViewSlot?

  var records: StorageRecords { StorageRecords(zookeeper: zookeeper, reads: views?.view?.reads) }

  // MARK: Status

  func status() async throws -> StorageReport { try await report("status", .storage) }
  func utilization() async throws -> StorageReport { try await report("utilization", .storageUtil) }

  private func report(_ type: String, _ key: BaseKey) async throws -> StorageReport {
    let values = try await zookeeper.getMany([Layout.base.path(.primaryNode), Layout.base.path(key)])
    return StorageReport(
      type: type, primaryNode: values[0]?.string ?? "none",
      cephData: (values[1]?.string ?? "").trimmingCharacters(in: .whitespacesAndNewlines))
  }

  func prometheusMetrics() async throws -> String {
    let services = try await ceph.with { try await $0.monitorJSON(["prefix": "mgr services"]) }
    guard let base = StorageStats.text(services, "prometheus"), let url = URL(string: base + "metrics"),
      url.scheme == "http" || url.scheme == "https"
    else {
      throw StorageError.unavailable(
        "Ceph's manager does not serve Prometheus metrics: enable its module (ceph mgr module enable prometheus)")
    }
    var request = URLRequest(url: url)
    request.timeoutInterval = 10
    let (data, response) = try await URLSession.shared.data(for: request)
    guard (response as? HTTPURLResponse)?.statusCode == 200 else {
      throw StorageError.unavailable(
        "Ceph's manager answered \((response as? HTTPURLResponse)?.statusCode ?? 0) at \(url)")
    }
    return String(decoding: data, as: UTF8.self)
  }

  // MARK: Pools

  func pools(limit: String?) async throws -> [PoolInfo] {
    let matcher = try Self.matcher(limit)
    return try await records.pools().filter { Self.matches(matcher, $0.name) }
  }

  func pool(_ name: String) async throws -> PoolInfo {
    guard let pool = try await records.pools().first(where: { $0.name == name }) else {
      throw StorageError.poolNotFound(name)
    }
    return pool
  }

  func addPool(_ name: String, pgs: Int, replication: String, tier: String) async throws {
    try await ceph.with {
      try await CephPools(rados: $0, zookeeper: zookeeper).add(name, pgs: pgs, replication: replication, tier: tier)
    }
  }

  func setPlacementGroups(pool: String, _ pgs: Int) async throws {
    _ = try await self.pool(pool)
    try await ceph.with { try await CephPools(rados: $0, zookeeper: zookeeper).setPlacementGroups(pool, pgs) }
  }

  func removePool(_ name: String) async throws {
    _ = try await pool(name)
    try await ceph.with { try await CephPools(rados: $0, zookeeper: zookeeper).remove(name) }
  }

  // MARK: Volumes

  func volumes(limit: String?, pool: String?) async throws -> [VolumeInfo] {
    let matcher = try Self.matcher(limit)
    if let pool { try RBDPool.check(pool, "pool") }
    return try await records.volumes(pool: pool).filter { Self.matches(matcher, $0.name) }
  }

  func volume(_ name: String, pool: String) async throws -> VolumeInfo {
    try RBDPool.check(pool, "pool")
    guard let volume = try await records.volumes(pool: pool).first(where: { $0.name == name }) else {
      throw StorageError.volumeNotFound(pool: pool, volume: name)
    }
    return volume
  }

  func addVolume(_ name: String, pool: String, size: String, force: Bool) async throws {
    _ = try StorageRules.bytes(size)
    try RBDPool.check(name, "volume")
    _ = try await self.pool(pool)
    try await ceph.with { try await volumes($0).add(name, pool: pool, size: size, force: force) }
  }

  func resizeVolume(_ name: String, pool: String, size: String, force: Bool) async throws {
    _ = try StorageRules.bytes(size)
    _ = try await volume(name, pool: pool)
    try await ceph.with { try await volumes($0).resize(name, pool: pool, size: size, force: force) }
  }

  func renameVolume(_ name: String, pool: String, to newName: String) async throws {
    try RBDPool.check(newName, "volume")
    _ = try await volume(name, pool: pool)
    try await ceph.with { try await volumes($0).rename(name, pool: pool, to: newName) }
  }

  func cloneVolume(_ name: String, pool: String, to newName: String, force: Bool) async throws {
    try RBDPool.check(newName, "volume")
    _ = try await volume(name, pool: pool)
    try await ceph.with { try await volumes($0).clone(name, pool: pool, to: newName, force: force) }
  }

  func removeVolume(_ name: String, pool: String) async throws {
    _ = try await volume(name, pool: pool)
    try await ceph.with { try await volumes($0).remove(name, pool: pool) }
  }

  func uploadVolume(_ name: String, pool: String, format: ImageFormat, size: UInt64?, from source: ImageSource)
    async throws
  {
    _ = try await volume(name, pool: pool)
    guard let access = ceph.access else { throw StorageError.noCephAccess }
    try await ceph.with {
      try await ImageUpload(rados: $0, zookeeper: zookeeper, access: access)
        .upload(name, pool: pool, format: format, size: size, from: source)
    }
  }

  func scanVolume(_ name: String, pool: String) async throws {
    try RBDPool.check(name, "volume")
    _ = try await self.pool(pool)
    try await ceph.with { try await volumes($0).scan(name, pool: pool) }
  }

  private func volumes(_ rados: RadosConnection) -> CephVolumes { CephVolumes(rados: rados, zookeeper: zookeeper) }

  // MARK: Snapshots

  func snapshots(limit: String?, pool: String?, volume: String?) async throws -> [VolumeSnapshotInfo] {
    let matcher = try Self.matcher(limit)
    if let pool { try RBDPool.check(pool, "pool") }
    if let volume { try RBDPool.check(volume, "volume") }
    return try await records.snapshots(pool: pool, volume: volume).filter { Self.matches(matcher, $0.snapshot) }
  }

  func snapshot(_ name: String, volume: String, pool: String) async throws -> VolumeSnapshotInfo {
    try RBDPool.check(pool, "pool")
    try RBDPool.check(volume, "volume")
    guard
      let snapshot = try await records.snapshots(pool: pool, volume: volume).first(where: { $0.snapshot == name })
    else { throw StorageError.snapshotNotFound(pool: pool, volume: volume, snapshot: name) }
    return snapshot
  }

  func addSnapshot(_ name: String, volume: String, pool: String) async throws {
    try RBDPool.check(name, "snapshot")
    _ = try await self.volume(volume, pool: pool)
    try await ceph.with { try await snapshots($0).add(name, volume: volume, pool: pool) }
  }

  func renameSnapshot(_ name: String, volume: String, pool: String, to newName: String) async throws {
    try RBDPool.check(newName, "snapshot")
    _ = try await snapshot(name, volume: volume, pool: pool)
    try await ceph.with { try await snapshots($0).rename(name, volume: volume, pool: pool, to: newName) }
  }

  func rollbackSnapshot(_ name: String, volume: String, pool: String) async throws {
    _ = try await snapshot(name, volume: volume, pool: pool)
    try await ceph.with { try await snapshots($0).rollback(name, volume: volume, pool: pool) }
  }

  func removeSnapshot(_ name: String, volume: String, pool: String) async throws {
    _ = try await snapshot(name, volume: volume, pool: pool)
    try await ceph.with { try await snapshots($0).remove(name, volume: volume, pool: pool) }
  }

  private func snapshots(_ rados: RadosConnection) -> CephSnapshots {
    CephSnapshots(rados: rados, zookeeper: zookeeper)
  }

  // MARK: Benchmarks

  func benchmarks(job: String?) async throws -> [StorageBenchmarkResult] {
    let root = Layout.benchmarksRoot
    let names = (try await zookeeper.childrenMany([root])[0] ?? []).filter { job == nil || $0 == job }
    let values = try await zookeeper.getMany(names.compactMap { try? Layout.benchmark($0) })
    let found = values.compactMap { value -> (StorageBenchmarkResult, Int64)? in
      guard let value, let result = try? UpstreamJSON.decode(StorageBenchmarkResult.self, from: Data(value.bytes))
      else { return nil }
      return (result, value.stat.czxid)
    }
    return found.sorted { $0.1 > $1.1 }.map(\.0)
  }

  func runBenchmark(_ arguments: StorageBenchmarkTask.Arguments, wait: Bool) async throws -> String {
    _ = try await pool(arguments.pool)
    let node = try await DirectNodeOperations(zookeeper: zookeeper).requirePrimary()
    let tasks = DirectTaskOperations(zookeeper: zookeeper)
    if wait {
      return try await tasks.perform(StorageBenchmarkTask.self, arguments, runOn: node, timeout: .seconds(7200))
    }
    let task = try await tasks.submit(StorageBenchmarkTask.self, arguments, runOn: node)
    return "Storage benchmark queued as task \(task.id) on node \(node)."
  }

  // MARK: OSDs

  func osds(limit: String?) async throws -> [OSDInfo] {
    let matcher = try Self.matcher(limit)
    return try await records.osds().filter { Self.matches(matcher, $0.id) }
  }

  func osd(_ id: String) async throws -> OSDInfo {
    guard let osd = try await records.osds().first(where: { $0.id == id }) else { throw StorageError.osdNotFound(id) }
    return osd
  }

  func addOSD(_ arguments: StorageOSDAddTask.Arguments, wait: Bool) async throws -> String {
    try await task(StorageOSDAddTask.self, arguments, wait: wait, what: "Adding an OSD")
  }

  func removeOSD(_ arguments: StorageOSDRemoveTask.Arguments, wait: Bool) async throws -> String {
    _ = try await osd(arguments.id)
    return try await task(StorageOSDRemoveTask.self, arguments, wait: wait, what: "Removing OSD \(arguments.id)")
  }

  func replaceOSD(_ arguments: StorageOSDReplaceTask.Arguments, wait: Bool) async throws -> String {
    _ = try await osd(arguments.id)
    return try await task(StorageOSDReplaceTask.self, arguments, wait: wait, what: "Replacing OSD \(arguments.id)")
  }

  func refreshOSD(_ arguments: StorageOSDRefreshTask.Arguments, wait: Bool) async throws -> String {
    _ = try await osd(arguments.id)
    return try await task(StorageOSDRefreshTask.self, arguments, wait: wait, what: "Refreshing OSD \(arguments.id)")
  }

  func createDatabaseVolumeGroup(_ arguments: StorageOSDDatabaseVGTask.Arguments, wait: Bool) async throws -> String {
    try await task(StorageOSDDatabaseVGTask.self, arguments, wait: wait, what: "Making volume group osd-db")
  }

  /// Queues a storage task where its kind says, and waits for its result when asked.
  private func task<Kind: TaskKind>(_ kind: Kind.Type, _ arguments: Kind.Arguments, wait: Bool, what: String)
    async throws -> String
  {
    let placement = TaskPlacement(
      vms: DirectVMOperations(zookeeper: zookeeper), nodes: DirectNodeOperations(zookeeper: zookeeper), storage: self)
    let node = try await Kind.node(for: arguments, in: placement)
    let tasks = DirectTaskOperations(zookeeper: zookeeper)
    if wait { return try await tasks.perform(kind, arguments, runOn: node, timeout: .seconds(7200)) }
    let task = try await tasks.submit(kind, arguments, runOn: node)
    return "\(what): task \(task.id) on node \(node)."
  }

  func setOSDState(_ id: String, _ state: OSDState) async throws {
    _ = try await osd(id)
    try await ceph.with { try await CephOSDs(rados: $0, zookeeper: zookeeper).setState(id, state) }
  }

  func setOSDFlag(_ flag: OSDFlag, _ enabled: Bool) async throws {
    try await ceph.with { try await CephOSDs(rados: $0, zookeeper: zookeeper).setFlag(flag, enabled) }
  }

  // MARK: Matching

  /// A compiled `limit` pattern (fuzzy unless anchored).
  static func matcher(_ limit: String?) throws -> VMFilter.Matcher {
    try VMFilter.Matcher.names(limit) { StorageError.invalid($0) }
  }

  static func matches(_ matcher: VMFilter.Matcher, _ name: String) -> Bool { matcher.matches(name) }
}
