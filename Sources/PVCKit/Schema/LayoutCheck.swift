/// Checks node paths and values against the cluster layout: every object name
/// (node names, VM UUIDs, fault ids...) and every value of a key PVCKit reads
/// (numbers, states, JSON, domain definitions). Paths PVCKit does not know are
/// let through untouched: a backup may hold a newer daemon's keys.
///
/// `restore` runs it over a whole backup before writing anything.
enum LayoutCheck {
  /// A collection of objects: how a child is named and which keys it has.
  struct Collection: Sendable {
    /// Checks a child's name (throws saying what is wrong).
    var name: @Sendable (String) throws -> Void
    /// The kinds of the objects' keys, by path relative to the object (`""` is its own node).
    var keys: [String: ValueKind]
    /// Collections inside each object, by path relative to the object.
    var children: [String: Collection] = [:]
  }

  static func keys<Key: SchemaKey>(_: Key.Type) -> [String: ValueKind] {
    Dictionary(Key.specs(in: Layout.currentVersion).map { ($0.path, $0.kind) }, uniquingKeysWith: { first, _ in first })
  }

  static func named(_ make: @escaping @Sendable (String) throws -> Any) -> @Sendable (String) throws -> Void {
    { _ = try make($0) }
  }

  /// The collections of the layout, by absolute path.
  static let collections: [String: Collection] = {
    let base = Layout.base
    let domain = Collection(
      name: { uuid in
        guard VMName.canonicalUUID(uuid) != nil else {
          throw SchemaError("'\(ValueKind.shown(uuid))' is not a VM UUID")
        }
      }, keys: keys(DomainKey.self),
      children: [
        DomainKey.tags.spec.path: Collection(name: named { try Layout.tag($0, domain: "x") }, keys: keys(TagKey.self)),
        DomainKey.snapshots.spec.path: Collection(
          name: named { try Layout.domainSnapshot($0, domain: "x") }, keys: keys(DomainSnapshotKey.self)),
      ])
    let node = Collection(
      name: named(Layout.node), keys: keys(NodeKey.self),
      children: [
        NodeKey.monitoringData.spec.path: Collection(
          name: named { try Layout.monitoringPlugin($0, node: "x") }, keys: keys(MonitoringPluginKey.self)),
        NodeKey.sriovPF.spec.path: Collection(
          name: named { try Layout.sriovPF($0, node: "x") }, keys: keys(SRIOVPhysicalKey.self)),
        NodeKey.sriovVF.spec.path: Collection(
          name: named { try Layout.sriovVF($0, node: "x") }, keys: keys(SRIOVVirtualKey.self)),
      ])
    let network = Collection(
      name: named(Layout.network), keys: keys(NetworkKey.self),
      children: [
        NetworkKey.reservations.spec.path: Collection(
          name: named { try Layout.reservation($0, network: "1") }, keys: keys(ReservationKey.self)),
        NetworkKey.leases.spec.path: Collection(
          name: named { try Layout.lease($0, network: "1") }, keys: keys(LeaseKey.self)),
        NetworkKey.rulesIn.spec.path: Collection(
          name: named { try Layout.rule($0, direction: .inbound, network: "1") }, keys: keys(RuleKey.self)),
        NetworkKey.rulesOut.spec.path: Collection(
          name: named { try Layout.rule($0, direction: .outbound, network: "1") }, keys: keys(RuleKey.self)),
      ])
    let volume = Collection(name: named { try Layout.volume($0, pool: "x") }, keys: keys(VolumeKey.self))
    let snapshot = Collection(
      name: named { try Layout.snapshot($0, volume: "x", pool: "x") }, keys: keys(SnapshotKey.self))
    return [
      base.path(.nodes): node, base.path(.domains): domain, base.path(.networks): network,
      base.path(.faults): Collection(name: named(Layout.fault), keys: keys(FaultKey.self)),
      base.path(.logs): Collection(name: named(Layout.log), keys: keys(LogKey.self)),
      base.path(.osds): Collection(name: named(Layout.osd), keys: keys(OSDKey.self)),
      base.path(.pools): Collection(name: named(Layout.pool), keys: keys(PoolKey.self)),
      base.path(.volumes): Collection(name: named(Layout.volumes(inPool:)), keys: [:], children: ["": volume]),
      base.path(.snapshots): Collection(
        name: named(Layout.snapshots(inPool:)), keys: [:],
        children: [
          "": Collection(
            name: named { try Layout.snapshots(ofVolume: $0, pool: "x") }, keys: [:], children: ["": snapshot])
        ]),
    ]
  }()

  /// The cluster-wide keys' kinds, by absolute path.
  static let baseKeys = keys(BaseKey.self)

  /// What is wrong with one node's path or value, or `nil` if PVCKit can use it (or does not know it).
  static func problem(path: String, value: String) -> String? {
    if let kind = baseKeys[path] { return kind.problem(with: value) }
    // The deepest collection containing the path: `/ceph/volumes` before `/ceph`.
    for (prefix, collection) in collections.sorted(by: { $0.key.count > $1.key.count })
    where path.hasPrefix(prefix + "/") {
      return problem(Substring(path.dropFirst(prefix.count + 1)), value: value, in: collection)
    }
    return nil
  }

  /// `rest` is `<name>[/key path]` inside `collection`.
  private static func problem(_ rest: Substring, value: String, in collection: Collection) -> String? {
    let name = rest.prefix { $0 != "/" }
    do {
      try collection.name(String(name))
    } catch {
      return "\(error)"
    }
    let inner = String(rest.dropFirst(name.count))
    if let kind = collection.keys[inner] { return kind.problem(with: value) }
    for (prefix, child) in collection.children.sorted(by: { $0.key.count > $1.key.count })
    where inner.hasPrefix(prefix + "/") {
      return problem(Substring(inner.dropFirst(prefix.count + 1)), value: value, in: child)
    }
    return nil
  }

  /// Every problem of a set of paths and values, sorted by path.
  static func problems(_ entries: [String: String]) -> [RecordProblem] {
    entries.compactMap { path, value in problem(path: path, value: value).map { RecordProblem(path: path, problem: $0) }
    }
    .sorted { $0.path < $1.path }
  }
}
