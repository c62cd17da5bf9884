/// Reads node records with one pipelined batch.
struct NodeRecords: Sendable {
  let zookeeper: ZooKeeper

  static let infoKeys: [NodeKey] = [
    .daemonState, .routerState, .domainState, .pvcVersion, .staticData, .monitoringHealth, .monitoringPlugins,
    .cpuLoad, .domainCount, .runningDomains, .vcpuAllocated, .memoryTotal, .memoryAllocated, .memoryProvisioned,
    .memoryUsed, .memoryFree, .keepalive,
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
    return zip(names, records).filter { $0.1[.daemonState] != nil || $0.1[.keepalive] != nil }.map {
      NodeInfo(name: $0, record: $1)
    }
  }

  /// The cluster's default migration target selector.
  func defaultSelector() async throws -> NodeSelector {
    NodeSelector(rawValue: try await zookeeper.string(Layout.base.path(.migrationTargetSelector)) ?? "mem") ?? .mem
  }
}
