import Foundation

/// VM operations performed directly on ZooKeeper. Requests write the desired
/// state; the node daemon that owns the VM makes it so.
struct DirectVMOperations: VMOperations {
  let zookeeper: ZooKeeper
  /// Which definitions may enter the cluster.
  var policy = DomainPolicy.strict
  /// The connection's watch-fed views, once it is followed.
  var views: ViewSlot?
  /// Whether a call that waits runs as a task on the VM's node, as it does
  /// through the API (`false` inside a task, which waits in place).
  var waitsThroughTasks = true
  /// This program's Ceph client, for deleting a VM's disks with it.
  var ceph: CephLink?
  /// How consoles reach the nodes' libvirt daemons.
  var libvirt: NodeLibvirtAccess?
  var records: VMRecords { VMRecords(zookeeper: zookeeper, reads: views?.view?.reads) }
  var nodes: NodeRecords { NodeRecords(zookeeper: zookeeper, reads: views?.view?.reads) }

  func list(_ filter: VMFilter) async throws -> [VMInfo] {
    let matcher = try VMFilter.Matcher(filter)
    if let node = filter.node, try await records.reads.getMany([try Layout.node(node).basePath])[0] == nil {
      throw VMError.nodeNotFound(node)
    }
    guard let view = views?.view else { return try await read(filter) }
    return try await view.vms(filter) { try await read(filter) }
  }

  /// The VMs matching a filter, read from the cluster.
  private func read(_ filter: VMFilter) async throws -> [VMInfo] {
    let matcher = try VMFilter.Matcher(filter)
    // Whole listings are not kept in the tree cache: the VM view holds them.
    let records = VMRecords(zookeeper: zookeeper)
    let uuids: [String]
    if filter.limit == nil && filter.node == nil && filter.state == nil && filter.tag == nil {
      // Everything: no need to read the routing keys first.
      uuids = try await records.uuids()
    } else {
      uuids = try await records.index().filter {
        matcher.matches(uuid: $0.uuid, name: $0.name, node: $0.node, state: $0.state, tags: $0.tags)
      }.map(\.uuid)
    }
    return try await records.infos(uuids).sorted { $0.name < $1.name }
  }

  func info(_ vm: String) async throws -> VMInfo {
    let (uuid, _) = try await records.resolve(vm)
    guard let info = try await records.infos([uuid]).first else { throw VMError.notFound(vm) }
    return info
  }

  func consoleLog(_ vm: String, lines: Int) async throws -> String {
    guard lines > 0 else { throw VMError.invalidArgument("the number of lines must be positive") }
    let (uuid, _) = try await records.resolve(vm)
    let log = try await zookeeper.string(try Layout.domain(uuid).path(.consoleLog)) ?? ""
    return log.split(separator: "\n", omittingEmptySubsequences: false).suffix(lines).joined(separator: "\n")
  }

  // MARK: Metadata and tags

  func setMetadata(_ vm: String, _ change: VMMetadataChange) async throws {
    guard !change.isEmpty else { throw VMError.nothingToChange }
    let (uuid, _) = try await records.resolve(vm)
    let ref = try Layout.domain(uuid)
    var operations: [ZooKeeperOperation] = []
    if let limit = change.nodeLimit {
      try await checkKnownNodes(limit)
      operations.append(.set(ref.path(.nodeLimit), limit.joined(separator: ",")))
    }
    if let selector = change.nodeSelector { operations.append(.set(ref.path(.nodeSelector), selector.rawValue)) }
    if let autostart = change.autostart { operations.append(.set(ref.path(.autostart), autostart ? "True" : "False")) }
    if let profile = change.profile { operations.append(.set(ref.path(.profile), profile)) }
    if let method = change.migrationMethod { operations.append(.set(ref.path(.migrationMethod), method.rawValue)) }
    if let downtime = change.migrationMaxDowntime {
      try Self.checkDowntime(downtime)
      operations.append(.set(ref.path(.migrationMaxDowntime), String(downtime)))
    }
    try await zookeeper.multi(operations)
  }

  func addTag(_ vm: String, _ tag: VMTag) async throws {
    let (uuid, _) = try await records.resolve(vm)
    let ref = try Layout.tag(tag.name, domain: uuid)
    // Replace any tag of that name in one transaction.
    let existing = try await zookeeper.subtree(ref.basePath)
    try await zookeeper.multi(existing.reversed().map { .delete(path: $0) } + Self.tagOperations(ref, tag))
  }

  func removeTag(_ vm: String, _ tag: String) async throws {
    let (uuid, _) = try await records.resolve(vm)
    let ref = try Layout.tag(tag, domain: uuid)
    let record = try await zookeeper.record(ref, keys: [.root, .type, .protected])
    guard record[.root] != nil else { throw VMError.tag("the tag \"\(tag)\" does not exist") }
    guard record.value(.type) == "user" else {
      throw VMError.tag("the tag \"\(tag)\" is not a user tag and cannot be removed")
    }
    guard record.value(.protected).lowercased() != "true" else {
      throw VMError.tag("the tag \"\(tag)\" is protected and cannot be removed")
    }
    try await zookeeper.deleteRecursively(ref.basePath)
  }

  static func tagOperations(_ ref: ObjectRef<TagKey>, _ tag: VMTag) -> [ZooKeeperOperation] {
    [
      .create(ref.path(.root), tag.name), .create(ref.path(.type), tag.type),
      .create(ref.path(.protected), tag.protected ? "True" : "False"),
    ]
  }

  static func checkDowntime(_ downtime: Int) throws {
    guard (1...3_600_000).contains(downtime) else {
      throw VMError.invalidArgument("the maximum downtime must be 1 to 3600000 ms, not \(downtime)")
    }
  }

  /// Checks that every name is a node of the cluster.
  func checkKnownNodes(_ names: [String]) async throws {
    guard !names.isEmpty else { return }
    let known = Set(try await nodes.names())
    if let unknown = names.first(where: { !known.contains($0) }) { throw VMError.nodeNotFound(unknown) }
  }
}
