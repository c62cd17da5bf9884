import Foundation

/// One VM's identity and routing values, read for every VM of a listing.
struct VMIndexEntry: Sendable, Hashable {
  var uuid: String
  var name: String
  var state: VMState
  var node: String
  var tags: [String]
}

/// Reads VM records from ZooKeeper with pipelined batches: a listing of any size
/// costs a fixed number of round trips.
struct VMRecords: Sendable {
  let zookeeper: ZooKeeper
  let reads: any ClusterReads

  /// Reads through `reads` (a watch-fed cache in long-running programs),
  /// reports bad records through `zookeeper`.
  init(zookeeper: ZooKeeper, reads: (any ClusterReads)? = nil) {
    self.zookeeper = zookeeper
    self.reads = reads ?? zookeeper
  }

  /// The keys read for a VM's full information.
  static let infoKeys: [DomainKey] = [
    .root, .xml, .state, .node, .lastNode, .failedReason, .profile, .vnc, .stats, .autostart, .migrationMethod,
    .migrationMaxDowntime, .nodeSelector, .nodeLimit,
  ]

  /// Every VM's UUID (children of `/domains` that are not UUIDs are reported and left out).
  func uuids() async throws -> [String] {
    let children = try await reads.childrenMany([Layout.base.path(.domains)])[0] ?? []
    let checked = Layout.domainRefs(children)
    await RecordProblems.report(checked.problems, zookeeper: zookeeper)
    return checked.uuids
  }

  /// Every VM's UUID, name, state, node and tag names (two round trips).
  func index() async throws -> [VMIndexEntry] {
    let uuids = try await uuids()
    let refs = try uuids.map { try Layout.domain($0) }
    let keys: [DomainKey] = [.root, .state, .node]
    let (values, tags) = try await reads.readBulk(
      data: refs.flatMap { ref in keys.map { ref.path($0) } }, children: refs.map { $0.path(.tags) })
    return uuids.enumerated().compactMap { index, uuid in
      guard let name = values[index * 3]?.string else { return nil }  // deleted meanwhile
      return VMIndexEntry(
        uuid: uuid, name: name, state: VMState(rawValue: values[index * 3 + 1]?.string ?? ""),
        node: values[index * 3 + 2]?.string ?? "", tags: (tags[index] ?? []).sorted())
    }
  }

  /// The UUID and name of the VM named `vm` or with UUID `vm`.
  /// - Throws: ``VMError/notFound(_:)``.
  func resolve(_ vm: String) async throws -> (uuid: String, name: String) {
    if let uuid = VMName.canonicalUUID(vm) {
      guard let name = try await reads.text(try Layout.domain(uuid).path(.root)) else {
        throw VMError.notFound(vm)
      }
      return (uuid, name)
    }
    let uuids = try await uuids()
    let names = try await reads.getMany(try uuids.map { try Layout.domain($0).path(.root) })
    for (uuid, name) in zip(uuids, names) where name?.string == vm { return (uuid, vm) }
    throw VMError.notFound(vm)
  }

  /// Full information on the VMs with these UUIDs, in their order: read in
  /// slices of ``slice`` VMs (two bulk reads each), each slice built (its
  /// definitions parsed, the costly part) while the next one is read.
  func infos(_ uuids: [String]) async throws -> [VMInfo] {
    let starts = Array(stride(from: 0, to: uuids.count, by: Self.slice))
    let built = try await withThrowingTaskGroup(of: (Int, [VMInfo], [RecordProblem]).self) { group in
      for start in starts {
        let (parts, problems) = try await read(Array(uuids[start..<min(start + Self.slice, uuids.count)]))
        group.addTask {
          var problems = problems
          let infos = parts.map {
            VMInfo(uuid: $0.uuid, record: $0.record, tags: $0.tags, snapshots: $0.snapshots, problems: &problems)
          }
          return (start, infos, problems)
        }
      }
      var results: [(Int, [VMInfo], [RecordProblem])] = []
      for try await result in group { results.append(result) }
      return results.sorted { $0.0 < $1.0 }
    }
    await RecordProblems.report(built.flatMap(\.2), zookeeper: zookeeper)
    return built.flatMap(\.1)
  }

  /// How many VMs are read at once by ``infos(_:)``.
  static let slice = 200

  /// What a VM's information is built from.
  struct Parts: Sendable {
    var uuid: String
    var record: Record<DomainKey>
    var tags: [VMTag]
    var snapshots: [VMSnapshot]
  }

  /// The records of these VMs, their tags and snapshots (two bulk reads); VMs
  /// deleted meanwhile are left out.
  private func read(_ uuids: [String]) async throws -> ([Parts], [RecordProblem]) {
    let refs = try uuids.map { try Layout.domain($0) }
    let keys = Self.infoKeys
    let (raw, lists) = try await reads.readBulk(
      data: refs.flatMap { ref in keys.map { ref.path($0) } },
      children: refs.flatMap { [$0.path(.tags), $0.path(.snapshots)] })
    let values = refs.enumerated().map { index, ref in
      var fields: [DomainKey: String] = [:]
      for (offset, key) in keys.enumerated() {
        if let value = raw[index * keys.count + offset] { fields[key] = value.string }
      }
      return Record(basePath: ref.basePath, values: fields)
    }

    var tagRefs: [ObjectRef<TagKey>] = []
    var snapshotRefs: [ObjectRef<DomainSnapshotKey>] = []
    var problems: [RecordProblem] = []
    for (index, (uuid, ref)) in zip(uuids, refs).enumerated() {
      let tags = Layout.refs((lists[index * 2] ?? []).sorted(), under: ref.path(.tags)) {
        try Layout.tag($0, domain: uuid)
      }
      let snapshots = Layout.refs((lists[index * 2 + 1] ?? []).sorted(), under: ref.path(.snapshots)) {
        try Layout.domainSnapshot($0, domain: uuid)
      }
      tagRefs += tags.refs
      snapshotRefs += snapshots.refs
      problems += tags.problems + snapshots.problems
    }
    let (extra, _) = try await reads.readBulk(
      data: tagRefs.flatMap { [$0.path(.type), $0.path(.protected)] }
        + snapshotRefs.flatMap { [$0.path(.timestamp), $0.path(.rbdSnapshots)] }, children: [])
    func pair<Key: SchemaKey>(_ at: Int, _ first: Key, _ second: Key) -> [Key: String] {
      var fields: [Key: String] = [:]
      if let value = extra[at] { fields[first] = value.string }
      if let value = extra[at + 1] { fields[second] = value.string }
      return fields
    }
    let tagRecords = tagRefs.enumerated().map { index, ref in
      Record<TagKey>(basePath: ref.basePath, values: pair(index * 2, .type, .protected))
    }
    let offset = tagRefs.count * 2
    let snapshotRecords = snapshotRefs.enumerated().map { index, ref in
      Record<DomainSnapshotKey>(basePath: ref.basePath, values: pair(offset + index * 2, .timestamp, .rbdSnapshots))
    }
    let tags = Dictionary(grouping: zip(tagRefs, tagRecords)) { $0.0.basePath.domainOfChild }
    let snapshots = Dictionary(grouping: zip(snapshotRefs, snapshotRecords)) { $0.0.basePath.domainOfChild }

    let now = Date().timeIntervalSince1970
    let parts = zip(refs, values).compactMap { ref, record -> Parts? in
      guard record[.root] != nil else { return nil }
      let vmTags = (tags[ref.basePath] ?? []).map { tagRef, tag in
        VMTag(name: tagRef.name, type: tag.value(.type), protected: tag.value(.protected).lowercased() == "true")
      }
      let vmSnapshots = (snapshots[ref.basePath] ?? []).map { snapshotRef, snapshot in
        VMSnapshot(snapshot: snapshotRef.name, record: snapshot, now: now)
      }.sorted { $0.timestamp > $1.timestamp }
      return Parts(uuid: ref.name, record: record, tags: vmTags, snapshots: vmSnapshots)
    }
    return (parts, problems)
  }
}

extension String {
  /// For `/domains/<uuid>/tags/<tag>`: `/domains/<uuid>`.
  fileprivate var domainOfChild: String {
    let parts = split(separator: "/", omittingEmptySubsequences: false)
    return parts.prefix(3).joined(separator: "/")
  }
}

extension VMSnapshot {
  init(snapshot name: String, record: Record<DomainSnapshotKey>, now: TimeInterval) {
    self.name = name
    timestamp = record.value(.timestamp)
    let seconds = max(0, Int(checkedTruncating: now - (Double(bounded: timestamp) ?? now)) ?? 0)
    age = Self.age(seconds)
    xmlDiffLines = []
    rbdSnapshots = record.value(.rbdSnapshots).split(separator: ",").map(String.init)
  }

  /// `42 seconds`, `1 minute`, `3 hours`, `2 days`.
  static func age(_ seconds: Int) -> String {
    func unit(_ count: Int, _ name: String) -> String { "\(count) \(name)\(count == 1 ? "" : "s")" }
    if seconds < 60 { return "\(seconds) seconds" }
    if seconds < 3600 { return unit(seconds / 60, "minute") }
    if seconds < 86400 { return unit(seconds / 3600, "hour") }
    return unit(seconds / 86400, "day")
  }
}
