import Foundation

/// VM operations through a PVC HTTP API.
struct HTTPVMOperations: VMOperations {
  let client: APIClient

  func list(_ filter: VMFilter) async throws -> [VMInfo] {
    var parameters: [(String, String)] = []
    if let limit = filter.limit {
      // The API's limit is always fuzzy unless anchored; an exact name is anchored here.
      parameters.append(
        ("limit", filter.fuzzy ? limit : "^\(NSRegularExpression.escapedPattern(for: limit))$"))
    }
    if let node = filter.node { parameters.append(("node", node)) }
    if let state = filter.state { parameters.append(("state", state.rawValue)) }
    if let tag = filter.tag { parameters.append(("tag", tag)) }
    if filter.negate { parameters.append(("negate", "true")) }
    let response = try await client.send(.vmList, [], parameters)
    if response.status == 404 { return [] }
    guard response.status == 200 else { throw response.refusal }
    return try response.decode([VMInfo].self)
  }

  func info(_ vm: String) async throws -> VMInfo {
    let response = try await client.send(.vmInfo, [vm])
    guard response.status != 404 else { throw VMError.notFound(vm) }
    guard response.status == 200, let info = try response.decode([VMInfo].self).first else {
      throw response.refusal
    }
    return info
  }

  func define(_ definition: VMDefinition) async throws -> (uuid: String, name: String) {
    let summary = try DomainXML(definition.xml).summary
    var parameters: [(String, String)] = [
      ("xml", definition.xml), ("selector", definition.nodeSelector.rawValue),
      ("autostart", String(definition.autostart)), ("migration_method", definition.migrationMethod.rawValue),
      ("migration_max_downtime", String(definition.migrationMaxDowntime)),
    ]
    if let node = definition.node { parameters.append(("node", node)) }
    if !definition.nodeLimit.isEmpty { parameters.append(("limit", definition.nodeLimit.joined(separator: ","))) }
    for tag in definition.tags { parameters.append((tag.protected ? "protected_tags" : "user_tags", tag.name)) }
    _ = try await client.expect(.vmDefine, [], parameters)
    if definition.initialState == .start { try await setState(summary.name, .start, force: false, wait: false) }
    return (summary.uuid, summary.name)
  }

  func modify(_ vm: String, xml: String, restart: Bool) async throws {
    _ = try await client.expect(.vmModify, [vm], [("xml", xml), ("restart", String(restart))])
  }

  func rename(_ vm: String, to newName: String) async throws {
    _ = try await client.expect(.vmRename, [vm], [("new_name", newName)])
  }

  func undefine(_ vm: String) async throws {
    _ = try await client.expect(.vmRemove, [vm], [("delete_disks", "false")])
  }

  func remove(_ vm: String, deleteDisks: Bool) async throws {
    _ = try await client.expect(.vmRemove, [vm], [("delete_disks", String(deleteDisks))])
  }

  func setState(_ vm: String, _ request: VMStateRequest, force: Bool, wait: Bool) async throws {
    let parameters = [("state", request.rawValue), ("force", String(force)), ("wait", String(wait))]
    if wait {
      _ = try await client.waiting(.vmSetState, [vm], parameters)
    } else {
      _ = try await client.expect(.vmSetState, [vm], parameters)
    }
  }

  func migrate(_ vm: String, to node: String?, force: Bool, forceLive: Bool, wait: Bool) async throws
    -> VMMigrationOutcome
  {
    try await outcome(vm, try await request(vm, "migrate", node, force: force, forceLive: forceLive, wait: wait))
  }

  func unmigrate(_ vm: String, forceLive: Bool, wait: Bool) async throws -> VMMigrationOutcome {
    try await outcome(vm, try await request(vm, "unmigrate", nil, force: false, forceLive: forceLive, wait: wait))
  }

  func move(_ vm: String, to node: String?, forceLive: Bool, wait: Bool) async throws -> VMMigrationOutcome {
    try await outcome(vm, try await request(vm, "move", node, force: false, forceLive: forceLive, wait: wait))
  }

  /// `POST /vm/{vm}/node`.
  private func request(_ vm: String, _ action: String, _ target: String?, force: Bool, forceLive: Bool, wait: Bool)
    async throws -> String
  {
    var parameters = [
      ("action", action), ("force", String(force)), ("force_live", String(forceLive)), ("wait", String(wait)),
    ]
    if let target { parameters.append(("node", target)) }
    return wait
      ? try await client.waiting(.vmSetNode, [vm], parameters)
      : try await client.expect(.vmSetNode, [vm], parameters).message
  }

  private func outcome(_ vm: String, _ message: String) async throws -> VMMigrationOutcome {
    let node = try await info(vm).node
    return message.contains("permanent") ? .madePermanent(node: node) : .moving(to: node)
  }

  func setMetadata(_ vm: String, _ change: VMMetadataChange) async throws {
    guard !change.isEmpty else { throw VMError.nothingToChange }
    var parameters: [(String, String)] = []
    if let limit = change.nodeLimit { parameters.append(("limit", limit.joined(separator: ","))) }
    if let selector = change.nodeSelector { parameters.append(("selector", selector.rawValue)) }
    if let autostart = change.autostart { parameters.append(("autostart", String(autostart))) }
    if let profile = change.profile { parameters.append(("profile", profile)) }
    if let method = change.migrationMethod { parameters.append(("migration_method", method.rawValue)) }
    if let downtime = change.migrationMaxDowntime { parameters.append(("migration_max_downtime", String(downtime))) }
    _ = try await client.expect(.vmSetMetadata, [vm], parameters)
  }

  func addTag(_ vm: String, _ tag: VMTag) async throws {
    _ = try await client.expect(
      .vmChangeTag, [vm], [("action", "add"), ("tag", tag.name), ("protected", String(tag.protected))])
  }

  func removeTag(_ vm: String, _ tag: String) async throws {
    _ = try await client.expect(.vmChangeTag, [vm], [("action", "remove"), ("tag", tag)])
  }

  func createSnapshot(_ vm: String, name: String?) async throws -> ClusterTask {
    try await client.acceptedTask(
      try await client.expect(.vmSnapshotCreate, [vm], name.map { [("snapshot_name", $0)] } ?? []))
  }

  func removeSnapshot(_ vm: String, name: String) async throws -> ClusterTask {
    try await client.acceptedTask(try await client.expect(.vmSnapshotRemove, [vm], [("snapshot_name", name)]))
  }

  func rollbackSnapshot(_ vm: String, name: String) async throws -> ClusterTask {
    try await client.acceptedTask(try await client.expect(.vmSnapshotRollback, [vm], [("snapshot_name", name)]))
  }

  func exportSnapshot(_ vm: String, name: String, to path: String, incrementalParent: String?) async throws
    -> ClusterTask
  {
    try await client.acceptedTask(
      try await client.expect(
        .vmSnapshotExport, [vm],
        [("snapshot_name", name), ("export_path", path)]
          + (incrementalParent.map { [("incremental_parent", $0)] } ?? [])))
  }

  func importSnapshot(_ vm: String, name: String, from path: String, retainSnapshot: Bool) async throws
    -> ClusterTask
  {
    try await client.acceptedTask(
      try await client.expect(
        .vmSnapshotImport, [vm],
        [("snapshot_name", name), ("import_path", path), ("retain_snapshot", retainSnapshot ? "true" : "false")]))
  }

  func sendSnapshot(_ vm: String, name: String, to destination: SnapshotDestination, incrementalParent: String?)
    async throws -> ClusterTask
  {
    try await client.acceptedTask(
      try await client.expect(
        .vmSnapshotSend, [vm],
        [("snapshot_name", name)] + Self.parameters(destination)
          + (incrementalParent.map { [("incremental_parent", $0)] } ?? [])))
  }

  func createMirror(_ vm: String, to destination: SnapshotDestination) async throws -> ClusterTask {
    try await client.acceptedTask(try await client.expect(.vmMirrorCreate, [vm], Self.parameters(destination)))
  }

  func promoteMirror(_ vm: String, to destination: SnapshotDestination, removeOnSource: Bool) async throws
    -> ClusterTask
  {
    try await client.acceptedTask(
      try await client.expect(
        .vmMirrorPromote, [vm],
        Self.parameters(destination) + [("remove_on_source", removeOnSource ? "true" : "false")]))
  }

  /// Upstream's `destination_*` parameters.
  static func parameters(_ destination: SnapshotDestination) -> [(String, String)] {
    [
      ("destination_api_uri", destination.uri), ("destination_api_key", destination.key),
      ("destination_api_verify_ssl", destination.verifySSL ? "true" : "false"),
    ] + (destination.pool.map { [("destination_storage_pool", $0)] } ?? [])
  }

  func backup(_ vm: String, to path: String, incrementalParent: String?, retainSnapshot: Bool) async throws -> String {
    try await client.waiting(
      .vmBackupCreate, [vm],
      [("backup_path", path), ("retain_snapshot", retainSnapshot ? "true" : "false")]
        + (incrementalParent.map { [("incremental_parent", $0)] } ?? []))
  }

  func removeBackup(_ vm: String, at path: String, datestring: String) async throws -> String {
    try await client.waiting(.vmBackupRemove, [vm], [("backup_path", path), ("backup_datestring", datestring)])
  }

  func restoreBackup(_ vm: String, from path: String, datestring: String, retainSnapshot: Bool) async throws -> String {
    try await client.waiting(
      .vmRestore, [vm],
      [
        ("backup_path", path), ("backup_datestring", datestring),
        ("retain_snapshot", retainSnapshot ? "true" : "false"),
      ])
  }

  func autobackup(forceFull: Bool) async throws -> ClusterTask {
    try await client.acceptedTask(
      try await client.expect(.vmAutobackup, [], [("force_full", forceFull ? "true" : "false")]))
  }

  func automirror() async throws -> ClusterTask {
    try await client.acceptedTask(try await client.expect(.vmAutomirror, [], []))
  }

  func receiveSnapshotConfig(_ vm: String, snapshot: String, sourceSnapshot: String?, detail: JSONValue) async throws {
    let parameters = [("snapshot", snapshot)] + (sourceSnapshot.map { [("source_snapshot", $0)] } ?? [])
    _ = try await client.send(
      .vmSnapshotReceiveConfig, [vm], parameters, body: try JSONEncoder().encode(detail),
      contentType: "application/json")
  }

  func receiveSnapshotImage(
    _ vm: String, pool: String, volume: String, snapshot: String, size: UInt64, from source: ImageSource
  ) async throws {
    let parameters = [("pool", pool), ("volume", volume), ("snapshot", snapshot), ("size", String(size))]
    switch source {
    case .file(let path):
      _ = try await client.upload(.vmSnapshotReceiveImage, [vm], parameters, file: URL(fileURLWithPath: path))
    case .stream(let bytes):
      let (file, _) = try await ImageSource.spool(bytes)
      defer { try? FileManager.default.removeItem(at: file) }
      _ = try await client.upload(.vmSnapshotReceiveImage, [vm], parameters, file: file)
    }
  }

  func receiveSnapshotChanges(
    _ vm: String, pool: String, volume: String, snapshot: String, sourceSnapshot: String,
    from records: AsyncThrowingStream<[UInt8], any Error>
  ) async throws {
    // One part per extent, as upstream's receiver reads them (`object_0`, `object_1`...).
    var bytes: [UInt8] = []
    for try await chunk in records { bytes += chunk }
    let boundary = "pvckit-\(UUID().uuidString)"
    var body = Data()
    var index = 0
    var offset = 0
    while offset + 16 <= bytes.count {
      let length = bytes[(offset + 8)..<(offset + 16)].reduce(0) { $0 << 8 | Int($1) }
      guard length >= 0, offset + 16 + length <= bytes.count else {
        throw VMError.invalidArgument("the changes end inside an extent")
      }
      body.append(
        Data(
          ("--\(boundary)\r\nContent-Disposition: form-data; name=\"object_\(index)\"; filename=\"object_\(index)\"\r\n"
            + "Content-Type: application/octet-stream\r\n\r\n").utf8))
      body.append(contentsOf: bytes[offset..<(offset + 16 + length)])
      body.append(Data("\r\n".utf8))
      offset += 16 + length
      index += 1
    }
    guard offset == bytes.count else { throw VMError.invalidArgument("the changes end inside an extent") }
    guard index > 0 else { return }
    body.append(Data("--\(boundary)--\r\n".utf8))
    _ = try await client.send(
      .vmSnapshotReceiveChanges, [vm],
      [("pool", pool), ("volume", volume), ("snapshot", snapshot), ("source_snapshot", sourceSnapshot)], body: body,
      contentType: "multipart/form-data; boundary=\(boundary)")
  }

  func receiveSnapshotFinish(_ vm: String, pool: String, volume: String, snapshot: String) async throws {
    _ = try await client.expect(
      .vmSnapshotReceiveFinish, [vm], [("pool", pool), ("volume", volume), ("snapshot", snapshot)])
  }

  func attachDevice(_ vm: String, xml: String) async throws -> ClusterTask {
    try await client.acceptedTask(try await client.expect(.vmDeviceAttach, [vm], [("xml", xml)]))
  }

  func detachDevice(_ vm: String, xml: String) async throws -> ClusterTask {
    try await client.acceptedTask(try await client.expect(.vmDeviceDetach, [vm], [("xml", xml)]))
  }

  func flushLocks(_ vm: String) async throws -> ClusterTask {
    try await client.acceptedTask(try await client.expect(.vmFlushLocks, [vm], []))
  }

  func consoleLog(_ vm: String, lines: Int) async throws -> String {
    guard lines > 0 else { throw VMError.invalidArgument("the number of lines must be positive") }
    let response = try await client.send(.vmConsoleLog, [vm], [("lines", String(lines))])
    guard response.status != 404 else { throw VMError.notFound(vm) }
    guard response.status == 200 else { throw response.refusal }
    return try response.decode([String: String].self)["data"] ?? ""
  }
}
