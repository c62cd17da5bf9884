/// Reads node records with one pipelined batch.
struct NodeRecords: Sendable {
  let zookeeper: ZooKeeper
  let reads: any ClusterReads

  /// Reads through `reads` (a watch-fed cache in long-running programs),
  /// reports bad records through `zookeeper`.
  init(zookeeper: ZooKeeper, reads: (any ClusterReads)? = nil) {
    self.zookeeper = zookeeper
    self.reads = reads ?? zookeeper
  }

  static let infoKeys: [NodeKey] = [
    .daemonState, .routerState, .domainState, .pvcVersion, .staticData, .monitoringHealth, .monitoringPlugins,
    .cpuLoad, .domainCount, .runningDomains, .vcpuAllocated, .memoryTotal, .memoryAllocated, .memoryProvisioned,
    .memoryUsed, .memoryFree, .keepalive, .networkStats,
  ]

  /// The names of every node, sorted; names that cannot be nodes are reported and left out.
  func names() async throws -> [String] {
    let children = (try await reads.childrenMany([Layout.base.path(.nodes)])[0] ?? []).sorted()
    let checked = Layout.refs(children, under: Layout.base.path(.nodes), Layout.node)
    await RecordProblems.report(checked.problems, zookeeper: zookeeper)
    return checked.names
  }

  /// Every node's information, sorted by name.
  func all() async throws -> [NodeInfo] {
    // From a watch-fed cache, made again only after a change.
    if let watched = reads as? WatchedReads { return try await watched.derived("nodes") { try await infos(names()) } }
    return try await infos(names())
  }

  /// The information of these nodes (names must be valid). Bad values are
  /// reported and shown as unknown; one bad node never hides the others.
  func infos(_ names: [String]) async throws -> [NodeInfo] {
    let records = try await reads.records(try names.map { try Layout.node($0) }, keys: Self.infoKeys)
    let present = zip(names, records).filter { $0.1[.daemonState] != nil || $0.1[.keepalive] != nil }
    var problems = present.flatMap(\.1.problems)
    var infos = present.map { NodeInfo(name: $0, record: $1, problems: &problems) }
    // Every health plugin's result, in one pipelined batch.
    var plugins: [(node: String, plugin: String, ref: ObjectRef<MonitoringPluginKey>)] = []
    for info in infos {
      let parent = (try? Layout.node(info.name).path(.monitoringData)) ?? ""
      let checked = Layout.refs(info.healthPlugins, under: parent) { try Layout.monitoringPlugin($0, node: info.name) }
      problems += checked.problems
      plugins += zip(checked.names, checked.refs).map { (info.name, $0, $1) }
    }
    // Running VMs are stored by UUID; upstream shows their names.
    let running = Array(Set(infos.flatMap(\.runningDomains).filter { VMName.canonicalUUID($0) != nil })).sorted()
    async let namesRead = reads.getMany(try running.map { try Layout.domain($0).path(.root) })
    let results = try await reads.records(plugins.map(\.ref), keys: [.lastRun, .healthDelta, .message, .data])
    var vmNames: [String: String] = [:]
    for (uuid, name) in zip(running, try await namesRead) { vmNames[uuid] = name?.string }
    for index in infos.indices {
      infos[index].runningDomains = infos[index].runningDomains.map { vmNames[$0] ?? $0 }
    }
    for (entry, result) in zip(plugins, results) where result[.lastRun] != nil {
      guard let index = infos.firstIndex(where: { $0.name == entry.node }) else { continue }
      problems += result.problems
      infos[index].healthDetails.append(NodeInfo.HealthDetail(name: entry.plugin, record: result, problems: &problems))
    }
    await RecordProblems.report(problems, zookeeper: zookeeper)
    return infos
  }

  /// The cluster's default migration target selector.
  func defaultSelector() async throws -> NodeSelector {
    NodeSelector(rawValue: try await reads.text(Layout.base.path(.migrationTargetSelector)) ?? "mem") ?? .mem
  }
}
