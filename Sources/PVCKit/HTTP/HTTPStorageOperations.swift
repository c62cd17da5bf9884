import Foundation

/// Storage operations through a PVC HTTP API.
struct HTTPStorageOperations: StorageOperations {
  let client: APIClient

  func status() async throws -> StorageReport {
    try await client.expect(.storageStatus).decode(StorageReport.self)
  }

  func utilization() async throws -> StorageReport {
    try await client.expect(.storageUtilization).decode(StorageReport.self)
  }

  private func list<T: Decodable>(
    _ spec: OperationSpec, _ path: [String] = [], _ parameters: [(String, String?)]
  ) async throws -> [T] {
    try await client.list(spec, path, parameters)
  }

  private func one<T: Decodable>(_ spec: OperationSpec, _ path: [String], missing: StorageError) async throws -> T {
    try await client.one(spec, path, missing: missing)
  }

  func prometheusMetrics() async throws -> String {
    String(decoding: try await client.expect(.metricsCeph).body, as: UTF8.self)
  }

  func pools(limit: String?) async throws -> [PoolInfo] {
    try await list(.storagePoolList, [], [("limit", limit)])
  }

  func pool(_ name: String) async throws -> PoolInfo {
    try RBDPool.check(name, "pool")
    return try await one(.storagePoolInfo, [name], missing: .poolNotFound(name))
  }

  func addPool(_ name: String, pgs: Int, replication: String, tier: String) async throws {
    _ = try await client.expect(
      .storagePoolAdd, [], [("pool", name), ("pgs", String(pgs)), ("replcfg", replication), ("tier", tier)])
  }

  func setPlacementGroups(pool: String, _ pgs: Int) async throws {
    try RBDPool.check(pool, "pool")
    _ = try await client.expect(.storagePoolSetPGs, [pool], [("pgs", String(pgs))])
  }

  func removePool(_ name: String) async throws {
    try RBDPool.check(name, "pool")
    _ = try await client.expect(.storagePoolRemove, [name], [("yes-i-really-mean-it", "yes")])
  }

  func volumes(limit: String?, pool: String?) async throws -> [VolumeInfo] {
    try await list(.storageVolumeList, [], [("limit", limit), ("pool", pool)])
  }

  func volume(_ name: String, pool: String) async throws -> VolumeInfo {
    try Self.check(pool: pool, volume: name)
    return try await one(.storageVolumeInfo, [pool, name], missing: .volumeNotFound(pool: pool, volume: name))
  }

  func addVolume(_ name: String, pool: String, size: String, force: Bool) async throws {
    _ = try await client.expect(
      .storageVolumeAdd, [], [("volume", name), ("pool", pool), ("size", size), ("force", String(force))])
  }

  func resizeVolume(_ name: String, pool: String, size: String, force: Bool) async throws {
    try Self.check(pool: pool, volume: name)
    _ = try await client.expect(.storageVolumeModify, [pool, name], [("new_size", size), ("force", String(force))])
  }

  func renameVolume(_ name: String, pool: String, to newName: String) async throws {
    try Self.check(pool: pool, volume: name)
    _ = try await client.expect(.storageVolumeModify, [pool, name], [("new_name", newName)])
  }

  func cloneVolume(_ name: String, pool: String, to newName: String, force: Bool) async throws {
    try Self.check(pool: pool, volume: name)
    _ = try await client.expect(
      .storageVolumeClone, [pool, name], [("new_volume", newName), ("force", String(force))])
  }

  func removeVolume(_ name: String, pool: String) async throws {
    try Self.check(pool: pool, volume: name)
    _ = try await client.expect(.storageVolumeRemove, [pool, name])
  }

  func uploadVolume(_ name: String, pool: String, format: ImageFormat, size: UInt64?, from source: ImageSource)
    async throws
  {
    try Self.check(pool: pool, volume: name)
    var parameters = [("image_format", format.rawValue)]
    switch source {
    case .file(let path):
      let bytes = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? UInt64) ?? nil
      if let known = size ?? bytes { parameters.append(("file_size", String(known))) }
      _ = try await client.upload(.storageVolumeUpload, [pool, name], parameters, file: URL(fileURLWithPath: path))
    case .stream(let bytes):
      let (file, written) = try await ImageSource.spool(bytes)
      defer { try? FileManager.default.removeItem(at: file) }
      parameters.append(("file_size", String(size ?? written)))
      _ = try await client.upload(.storageVolumeUpload, [pool, name], parameters, file: file)
    }
  }

  func scanVolume(_ name: String, pool: String) async throws {
    try Self.check(pool: pool, volume: name)
    _ = try await client.expect(.storageVolumeScan, [pool, name])
  }

  func snapshots(limit: String?, pool: String?, volume: String?) async throws -> [VolumeSnapshotInfo] {
    try await list(.storageSnapshotList, [], [("limit", limit), ("pool", pool), ("volume", volume)])
  }

  func snapshot(_ name: String, volume: String, pool: String) async throws -> VolumeSnapshotInfo {
    try Self.check(pool: pool, volume: volume, snapshot: name)
    return try await one(
      .storageSnapshotInfo, [pool, volume, name], missing: .snapshotNotFound(pool: pool, volume: volume, snapshot: name)
    )
  }

  func addSnapshot(_ name: String, volume: String, pool: String) async throws {
    _ = try await client.expect(.storageSnapshotAdd, [], [("snapshot", name), ("volume", volume), ("pool", pool)])
  }

  func renameSnapshot(_ name: String, volume: String, pool: String, to newName: String) async throws {
    try Self.check(pool: pool, volume: volume, snapshot: name)
    _ = try await client.expect(.storageSnapshotRename, [pool, volume, name], [("new_name", newName)])
  }

  func rollbackSnapshot(_ name: String, volume: String, pool: String) async throws {
    try Self.check(pool: pool, volume: volume, snapshot: name)
    _ = try await client.expect(.storageSnapshotRollback, [pool, volume, name])
  }

  func removeSnapshot(_ name: String, volume: String, pool: String) async throws {
    try Self.check(pool: pool, volume: volume, snapshot: name)
    _ = try await client.expect(.storageSnapshotRemove, [pool, volume, name])
  }

  func benchmarks(job: String?) async throws -> [StorageBenchmarkResult] {
    try await list(.storageBenchmarkList, [], [("job", job)])
  }

  func runBenchmark(_ arguments: StorageBenchmarkTask.Arguments, wait: Bool) async throws -> String {
    var parameters = [
      ("pool", arguments.pool), ("runtime", String(arguments.runtime)), ("size", arguments.size),
    ]
    if let name = arguments.name { parameters.append(("name", name)) }
    return try await queued(.storageBenchmarkRun, [], parameters, wait: wait, what: "Storage benchmark queued as")
  }

  func osds(limit: String?) async throws -> [OSDInfo] {
    try await list(.storageOSDList, [], [("limit", limit)])
  }

  func osd(_ id: String) async throws -> OSDInfo {
    try Self.checkOSD(id)
    return try await one(.storageOSDInfo, [id], missing: .osdNotFound(id))
  }

  func addOSD(_ arguments: StorageOSDAddTask.Arguments, wait: Bool) async throws -> String {
    var parameters = [("node", arguments.node), ("device", arguments.device)]
    if let weight = arguments.weight { parameters.append(("weight", String(weight))) }
    return try await queued(.storageOSDAdd, [], parameters, wait: wait, what: "Adding an OSD")
  }

  func removeOSD(_ arguments: StorageOSDRemoveTask.Arguments, wait: Bool) async throws -> String {
    try Self.checkOSD(arguments.id)
    return try await queued(
      .storageOSDRemove, [arguments.id], [("force", String(arguments.force)), ("yes-i-really-mean-it", "yes")],
      wait: wait, what: "Removing OSD \(arguments.id)")
  }

  func replaceOSD(_ arguments: StorageOSDReplaceTask.Arguments, wait: Bool) async throws -> String {
    try Self.checkOSD(arguments.id)
    var parameters = [("new_device", arguments.newDevice), ("yes-i-really-mean-it", "yes")]
    if let weight = arguments.weight { parameters.append(("weight", String(weight))) }
    return try await queued(
      .storageOSDReplace, [arguments.id], parameters, wait: wait, what: "Replacing OSD \(arguments.id)")
  }

  func refreshOSD(_ arguments: StorageOSDRefreshTask.Arguments, wait: Bool) async throws -> String {
    try Self.checkOSD(arguments.id)
    return try await queued(
      .storageOSDRefresh, [arguments.id], [("device", arguments.device)], wait: wait,
      what: "Refreshing OSD \(arguments.id)")
  }

  func createDatabaseVolumeGroup(_ arguments: StorageOSDDatabaseVGTask.Arguments, wait: Bool) async throws -> String {
    try await queued(
      .storageOSDDatabaseVG, [], [("node", arguments.node), ("device", arguments.device)], wait: wait,
      what: "Making volume group osd-db")
  }

  /// An operation the API runs as a task: followed to its end when `wait`.
  private func queued(
    _ spec: OperationSpec, _ path: [String], _ parameters: [(String, String)], wait: Bool, what: String
  ) async throws -> String {
    if wait { return try await client.waiting(spec, path, parameters) }
    let response = try await client.expect(spec, path, parameters)
    let task = (try? JSONValue(parsing: String(decoding: response.body, as: UTF8.self))).flatMap {
      StorageStats.text($0, "task_id")
    }
    return "\(what): task \(task ?? "?")."
  }

  func setOSDState(_ id: String, _ state: OSDState) async throws {
    try Self.checkOSD(id)
    _ = try await client.expect(.storageOSDSetState, [id], [("state", state.rawValue)])
  }

  func setOSDFlag(_ flag: OSDFlag, _ enabled: Bool) async throws {
    _ = try await client.expect(.storageOption, [], [("option", flag.rawValue), ("action", enabled ? "set" : "unset")])
  }

  /// Names go into the request's path: only names PVC accepts.
  static func check(pool: String, volume: String, snapshot: String? = nil) throws {
    try RBDPool.check(pool, "pool")
    try RBDPool.check(volume, "volume")
    if let snapshot { try RBDPool.check(snapshot, "snapshot") }
  }

  static func checkOSD(_ id: String) throws {
    guard !id.isEmpty, id.count <= 10, id.allSatisfy({ $0.isASCII && $0.isNumber }) else {
      throw StorageError.invalid("'\(OperationParameter.shown(id))' is not an OSD ID (a whole number)")
    }
  }
}
