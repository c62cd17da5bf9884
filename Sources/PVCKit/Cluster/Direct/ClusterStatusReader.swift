import Foundation

/// Reads everything `status` reports with a few pipelined batches:
/// the cluster keys and collections, then every object's keys at once.
struct ClusterStatusReader {
  let zookeeper: ZooKeeper
  let reads: any ClusterReads

  /// Reads through `reads` (a watch-fed cache in long-running programs),
  /// reports bad records through `zookeeper`.
  init(zookeeper: ZooKeeper, reads: (any ClusterReads)? = nil) {
    self.zookeeper = zookeeper
    self.reads = reads ?? zookeeper
  }

  private static let nodeKeys: [NodeKey] = [
    .daemonState, .domainState, .memoryTotal, .memoryUsed, .memoryFree, .memoryAllocated, .memoryProvisioned,
    .cpuLoad, .vcpuAllocated, .staticData, .pvcVersion, .monitoringHealth,
  ]

  func read() async throws -> ClusterStatus {
    // From a watch-fed cache, made again only after a change.
    if let watched = reads as? WatchedReads { return try await watched.derived("status") { try await readNow() } }
    return try await readNow()
  }

  private func readNow() async throws -> ClusterStatus {
    let base = Layout.base
    let collectionKeys: [BaseKey] = [.nodes, .domains, .networks, .osds, .pools, .faults]
    async let settings = reads.record(
      base, keys: [.config, .maintenance, .primaryNode, .upstreamIP, .schemaVersion])
    async let collections = reads.childrenMany(
      collectionKeys.map { base.path($0) } + [base.path(.volumes), base.path(.snapshots)])
    let (config, lists) = try await (settings, collections)
    guard config[.schemaVersion] != nil else { throw ClusterError.notInitialized }

    let names = lists.map { ($0 ?? []).sorted() }
    // Every collection's children, less (and reporting) those that cannot be objects of it.
    let nodeList = Layout.refs(names[0], under: base.path(.nodes), Layout.node)
    let domainList = Layout.domainRefs(names[1])
    let osdList = Layout.refs(names[3], under: base.path(.osds), Layout.osd)
    let faultList = Layout.refs(names[5], under: base.path(.faults), Layout.fault)
    let volumePools = Layout.refs(names[6], under: base.path(.volumes), Layout.volumes(inPool:))
    let snapshotPools = Layout.refs(names[7], under: base.path(.snapshots), Layout.snapshots(inPool:))
    var problems = nodeList.problems + domainList.problems + osdList.problems + faultList.problems
    problems += volumePools.problems + snapshotPools.problems
    let (nodeNames, domainIDs, osdIDs, faultIDs) = (nodeList.names, domainList.uuids, osdList.names, faultList.names)
    let (networkIDs, poolNames) = (names[2], names[4])

    async let nodes = reads.records(nodeList.refs, keys: Self.nodeKeys)
    async let domains = reads.records(domainList.refs, keys: [.root, .state])
    async let osds = reads.records(osdList.refs, keys: [.stats])
    async let faults = reads.records(faultList.refs, keys: Array(FaultKey.allCases))
    async let volumeLists = reads.childrenMany(volumePools.refs)
    async let snapshotVolumeLists = reads.childrenMany(snapshotPools.refs)

    var snapshotParents: [String] = []
    for (pool, volumes) in zip(snapshotPools.names, try await snapshotVolumeLists) {
      let parent = (try? Layout.snapshots(inPool: pool)) ?? ""
      let checked = Layout.refs(volumes ?? [], under: parent) { try Layout.snapshots(ofVolume: $0, pool: pool) }
      snapshotParents += checked.refs
      problems += checked.problems
    }
    async let snapshotLists = reads.childrenMany(snapshotParents)

    let nodeRecords = try await nodes
    problems += nodeRecords.flatMap(\.problems) + (try await domains).flatMap(\.problems)
    await RecordProblems.report(problems, zookeeper: zookeeper)
    let faultRecords = try await zip(faultIDs, faults).map { Fault(id: $0, record: $1) }
    let primary = config.value(.primaryNode)
    let primaryNode = primary.isEmpty || primary == "none" ? nil : primary
    let primaryVersion = zip(nodeNames, nodeRecords).first { $0.0 == primaryNode }?.1[.pvcVersion]

    return ClusterStatus(
      clusterName: config.value(.config),
      clusterHealth: Self.health(from: faultRecords),
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
        faults: faultRecords
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
      health: min(100, max(0, 100.subtractingSaturated(open.saturatingSum(\.healthDelta)))),
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
    func sum(_ key: NodeKey) -> Int { nodes.saturatingSum { $0.count(key) ?? 0 } }
    let memoryTotal = sum(.memoryTotal)
    let memoryUsed = sum(.memoryUsed)
    let cpus = nodes.saturatingSum {
      max(0, Int(bounded: $0.value(.staticData).split(separator: " ").first ?? "") ?? 0)
    }
    let load = nodes.reduce(0.0) { $0 + ($1.double(.cpuLoad) ?? 0) }
    var diskTotal = 0
    var diskUsed = 0
    var diskFree = 0
    for osd in osds {
      let stats = osdStats(osd)
      diskTotal = diskTotal.addingSaturated(max(0, stats["kb"] as? Int ?? 0))
      diskUsed = diskUsed.addingSaturated(max(0, stats["kb_used"] as? Int ?? 0))
      diskFree = diskFree.addingSaturated(max(0, stats["kb_avail"] as? Int ?? 0))
    }
    func percent(_ part: Double, _ whole: Double) -> Double {
      whole > 0 ? (part / whole * 10000).rounded() / 100 : 0
    }
    return .init(
      memory: .init(
        total: memoryTotal, used: memoryUsed, free: sum(.memoryFree), allocated: sum(.memoryAllocated),
        provisioned: sum(.memoryProvisioned), utilization: percent(Double(memoryUsed), Double(memoryTotal))),
      cpu: .init(
        total: cpus, load: (load * 100).rounded() / 100, allocated: sum(.vcpuAllocated),
        utilization: percent(load, Double(cpus))),
      disk: .init(
        total: diskTotal, used: diskUsed, free: diskFree, utilization: percent(Double(diskUsed), Double(diskTotal)))
    )
  }
}
