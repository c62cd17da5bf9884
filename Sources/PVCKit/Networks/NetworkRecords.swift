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
}
