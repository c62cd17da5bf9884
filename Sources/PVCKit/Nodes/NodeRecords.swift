/// Reads node records with one pipelined batch.
struct NodeRecords: Sendable {
  let zookeeper: ZooKeeper

  static let infoKeys: [NodeKey] = [
    .daemonState, .routerState, .domainState, .pvcVersion, .staticData, .monitoringHealth, .monitoringPlugins,
    .cpuLoad, .domainCount, .runningDomains, .vcpuAllocated, .memoryTotal, .memoryAllocated, .memoryProvisioned,
    .memoryUsed, .memoryFree, .keepalive, .networkStats,
  ]

  /// The names of every node, sorted.
  func names() async throws -> [String] {
    (try await zookeeper.childrenMany([Layout.base.path(.nodes)])[0] ?? []).sorted()
  }

  /// Every node's information, sorted by name.
  func all() async throws -> [NodeInfo] {
    try await infos(names())
  }

  /// The information of these nodes.
  func infos(_ names: [String]) async throws -> [NodeInfo] {
    let records = try await zookeeper.records(try names.map { try Layout.node($0) }, keys: Self.infoKeys)
    var infos = zip(names, records).filter { $0.1[.daemonState] != nil || $0.1[.keepalive] != nil }.map {
      NodeInfo(name: $0, record: $1)
    }
    // Every health plugin's result, in one pipelined batch.
    let plugins = try infos.flatMap { info in
      try info.healthPlugins.map {
        (node: info.name, plugin: $0, ref: try Layout.monitoringPlugin($0, node: info.name))
      }
    }
    let results = try await zookeeper.records(plugins.map(\.ref), keys: [.lastRun, .healthDelta, .message])
    for (entry, result) in zip(plugins, results) where result[.lastRun] != nil {
      guard let index = infos.firstIndex(where: { $0.name == entry.node }) else { continue }
      infos[index].healthDetails.append(
        NodeInfo.HealthDetail(
          name: entry.plugin, lastRun: result.int(.lastRun) ?? 0, healthDelta: result.int(.healthDelta) ?? 0,
          message: result[.message] ?? ""))
    }
    return infos
  }

  /// The cluster's default migration target selector.
  func defaultSelector() async throws -> NodeSelector {
    NodeSelector(rawValue: try await zookeeper.string(Layout.base.path(.migrationTargetSelector)) ?? "mem") ?? .mem
  }
}
