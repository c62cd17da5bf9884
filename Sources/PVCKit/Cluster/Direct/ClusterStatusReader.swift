import Foundation

/// Reads everything `status` reports with a few pipelined batches:
/// the cluster keys and collections, then every object's keys at once.
struct ClusterStatusReader {
  let zookeeper: ZooKeeper

  private static let nodeKeys: [NodeKey] = [
    .daemonState, .domainState, .memoryTotal, .memoryUsed, .memoryFree, .memoryAllocated, .memoryProvisioned,
    .cpuLoad, .vcpuAllocated, .staticData, .pvcVersion, .monitoringHealth,
  ]

  func read() async throws -> ClusterStatus {
    let base = Layout.base
    let collectionKeys: [BaseKey] = [.nodes, .domains, .networks, .osds, .pools, .faults]
    async let settings = zookeeper.record(
      base, keys: [.config, .maintenance, .primaryNode, .upstreamIP, .schemaVersion])
    async let collections = zookeeper.childrenMany(
      collectionKeys.map { base.path($0) } + [base.path(.volumes), base.path(.snapshots)])
    let (config, lists) = try await (settings, collections)
    guard config[.schemaVersion] != nil else { throw ClusterError.notInitialized }

    let names = lists.map { ($0 ?? []).sorted() }
    let (nodeNames, domainIDs, networkIDs, osdIDs, poolNames, faultIDs) = (
      names[0], names[1], names[2], names[3], names[4], names[5]
    )
    let volumePools = names[6]
    let snapshotPools = names[7]

    async let nodes = zookeeper.records(try nodeNames.map { try Layout.node($0) }, keys: Self.nodeKeys)
    async let domains = zookeeper.records(try domainIDs.map { try Layout.domain($0) }, keys: [.root, .state])
    async let osds = zookeeper.records(try osdIDs.map { try Layout.osd($0) }, keys: [.stats])
    async let faults = zookeeper.records(try faultIDs.map { try Layout.fault($0) }, keys: Array(FaultKey.allCases))
    async let volumeLists = zookeeper.childrenMany(try volumePools.map { try Layout.volumes(inPool: $0) })
    async let snapshotVolumeLists = zookeeper.childrenMany(try snapshotPools.map { try Layout.snapshots(inPool: $0) })

    let snapshotParents = try await zip(snapshotPools, snapshotVolumeLists).flatMap { pool, volumes in
      try (volumes ?? []).map { try Layout.snapshots(ofVolume: $0, pool: pool) }
    }
    async let snapshotLists = zookeeper.childrenMany(snapshotParents)

    let nodeRecords = try await nodes
    let faultList = try await zip(faultIDs, faults).map { Fault(id: $0, record: $1) }
    let primary = config.value(.primaryNode)
    let primaryNode = primary.isEmpty || primary == "none" ? nil : primary
    let primaryVersion = zip(nodeNames, nodeRecords).first { $0.0 == primaryNode }?.1[.pvcVersion]

    return ClusterStatus(
      clusterName: config.value(.config),
      clusterHealth: Self.health(from: faultList),
      nodeHealth: Dictionary(
        uniqueKeysWithValues: zip(nodeNames, nodeRecords).map {
          ($0, .init(raw: $1.value(.monitoringHealth), messages: []))
        }),
      maintenance: config.value(.maintenance) == "true",
      primaryNode: primaryNode,
      pvcVersion: primaryVersion ?? "",
      upstreamIP: config.value(.upstreamIP),
      nodes: Self.counts(nodeRecords.map { "\($0.value(.daemonState)),\($0.value(.domainState))" }),
      vms: Self.counts(try await domains.map { $0.value(.state) }),
      networks: networkIDs.count,
      osds: Self.counts(try await osds.map { Self.osdState($0) }),
      pools: poolNames.count,
      volumes: try await volumeLists.reduce(0) { $0 + ($1?.count ?? 0) },
      snapshots: try await snapshotLists.reduce(0) { $0 + ($1?.count ?? 0) },
      resources: Self.resources(nodes: nodeRecords, osds: try await osds),
      detail: .init(
        node: zip(nodeNames, nodeRecords).map {
          .init(name: $0, daemonState: $1.value(.daemonState), domainState: $1.value(.domainState))
        },
        vm: try await zip(domainIDs, domains).map { .init(uuid: $0, name: $1.value(.root), state: $1.value(.state)) },
        osd: try await zip(osdIDs, osds).map { id, record in
          let state = Self.osdState(record).split(separator: ",")
          return .init(id: id, up: String(state[0]), in: String(state[1]))
        },
        faults: faultList
      )
    )
  }

  /// `total` plus a count per distinct state.
  static func counts(_ states: [String]) -> [String: Int] {
    var counts = ["total": states.count]
    for state in states { counts[state, default: 0] += 1 }
    return counts
  }

  /// Health is 100 less the unacknowledged faults' deltas, never below 0.
  static func health(from faults: [Fault]) -> ClusterStatus.Health {
    let open = faults.filter { !$0.isAcknowledged }
      .sorted { ($0.healthDelta, $0.lastReported) > ($1.healthDelta, $1.lastReported) }
    return .init(
      health: max(0, 100 - open.reduce(0) { $0 + $1.healthDelta }),
      messages: open.map { .init(id: $0.id, healthDelta: $0.healthDelta, text: $0.message) }
    )
  }

  static func osdStats(_ record: Record<OSDKey>) -> [String: Any] {
    guard let text = record[.stats], let data = text.data(using: .utf8),
      let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
    else { return [:] }
    return object
  }

  /// `up,in`-style state from an OSD's stats (`down,out` when unknown).
  static func osdState(_ record: Record<OSDKey>) -> String {
    let stats = osdStats(record)
    let up = (stats["up"] as? Int) == 1 ? "up" : "down"
    let isIn = (stats["in"] as? Int) == 1 ? "in" : "out"
    return "\(up),\(isIn)"
  }

  static func resources(nodes: [Record<NodeKey>], osds: [Record<OSDKey>]) -> ClusterStatus.Resources {
    func sum(_ key: NodeKey) -> Int { nodes.reduce(0) { $0 + ($1.int(key) ?? 0) } }
    let memoryTotal = sum(.memoryTotal)
    let memoryUsed = sum(.memoryUsed)
    let cpus = nodes.reduce(0) { $0 + (Int($1.value(.staticData).split(separator: " ").first ?? "") ?? 0) }
    let load = nodes.reduce(0.0) { $0 + ($1.double(.cpuLoad) ?? 0) }
    var diskTotal = 0
    var diskUsed = 0
    var diskFree = 0
    for osd in osds {
      let stats = osdStats(osd)
      diskTotal += stats["kb"] as? Int ?? 0
      diskUsed += stats["kb_used"] as? Int ?? 0
      diskFree += stats["kb_avail"] as? Int ?? 0
    }
    func percent(_ part: Double, _ whole: Double) -> Double {
      whole > 0 ? (part / whole * 10000).rounded() / 100 : 0
    }
    return .init(
      memory: .init(
        total: memoryTotal, used: memoryUsed, free: sum(.memoryFree), allocated: sum(.memoryAllocated),
        provisioned: sum(.memoryProvisioned), utilization: percent(Double(memoryUsed), Double(memoryTotal))),
      vcpu: .init(
        total: cpus, load: (load * 100).rounded() / 100, allocated: sum(.vcpuAllocated),
        utilization: percent(load, Double(cpus))),
      disk: .init(
        total: diskTotal, used: diskUsed, free: diskFree, utilization: percent(Double(diskUsed), Double(diskTotal)))
    )
  }
}
