/// Reads the cluster's networks (for the operations and for pvcd's workers).
struct NetworkRecords: Sendable {
  let zookeeper: ZooKeeper
  let reads: any ClusterReads

  /// Reads through `reads` (a watch-fed cache in long-running programs),
  /// reports bad records through `zookeeper`.
  init(zookeeper: ZooKeeper, reads: (any ClusterReads)? = nil) {
    self.zookeeper = zookeeper
    self.reads = reads ?? zookeeper
  }

  /// Every network, sorted by VNI; children that are not networks are reported and left out.
  func all() async throws -> [NetworkInfo] {
    let parent = Layout.base.path(.networks)
    let children = try await reads.childrenMany([parent])[0] ?? []
    let numeric = children.filter { Int($0).map(NetworkRules.managedVNIs.contains) ?? false }
    let checked = Layout.refs(numeric, under: parent, Layout.network)
    let records = try await reads.records(checked.refs)
    var problems = checked.problems + records.flatMap(\.problems)
    problems += children.filter { !numeric.contains($0) }.map {
      RecordProblem(path: parent + "/" + $0, problem: "not a network: its name is not a VNI")
    }
    await RecordProblems.report(problems, zookeeper: zookeeper)
    return zip(checked.names, records).compactMap { name, record in
      Int(name).flatMap { NetworkInfo(vni: $0, record: record) }
    }.sorted { $0.vni < $1.vni }
  }

  /// The network's rules in one direction (or both, `in` first), each in order.
  func rules(_ vni: Int, _ direction: Layout.RuleDirection? = nil) async throws -> [NetworkACL] {
    var all: [NetworkACL] = []
    for side in direction.map({ [$0] }) ?? Layout.RuleDirection.allCases {
      let key: NetworkKey = side == .inbound ? .rulesIn : .rulesOut
      all += try await children(vni, key) { try Layout.rule($0, direction: side, network: String(vni)) }.map {
        name, record in
        NetworkACL(
          description: name, direction: side.rawValue, order: record[.order].flatMap { Int($0) } ?? Int.max,
          rule: record[.rule] ?? "")
      }.sorted { ($0.order, $0.description) < ($1.order, $1.description) }
    }
    return all
  }

  /// The network's static reservations.
  func reservations(_ vni: Int) async throws -> [NetworkLease] {
    try await children(vni, .reservations) { try Layout.reservation($0, network: String(vni)) }.map { mac, record in
      NetworkLease(hostname: record[.hostname] ?? "", ip4Address: record[.ip] ?? "", macAddress: mac, isStatic: true)
    }
  }

  /// The leases dnsmasq gave out (written back to ZooKeeper).
  func leases(_ vni: Int) async throws -> [NetworkLease] {
    try await children(vni, .leases) { try Layout.lease($0, network: String(vni)) }.map { mac, record in
      NetworkLease(
        hostname: record[.hostname] ?? "", ip4Address: record[.ip] ?? "", macAddress: mac,
        timestamp: record[.expiry].flatMap { Int($0) } ?? 0, isStatic: false)
    }
  }

  /// The objects under one of a network's collections, by name, sorted; names that cannot be objects are reported.
  private func children<Key: SchemaKey>(
    _ vni: Int, _ collection: NetworkKey, _ ref: (String) throws -> ObjectRef<Key>
  ) async throws -> [(String, Record<Key>)] {
    let parent = try Layout.network(String(vni)).path(collection)
    let checked = Layout.refs((try await reads.childrenMany([parent])[0] ?? []).sorted(), under: parent, ref)
    let records = try await reads.records(checked.refs)
    await RecordProblems.report(checked.problems + records.flatMap(\.problems), zookeeper: zookeeper)
    return Array(zip(checked.names, records))
  }
}
