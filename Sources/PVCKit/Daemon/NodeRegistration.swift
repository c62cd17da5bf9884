import Foundation

/// Registers a node in the cluster at daemon start, as upstream's daemons do:
/// a known node is reset to `init`; a new node is created flushed, with zeroed counters.
struct NodeRegistration: Sendable {
  let zookeeper: ZooKeeper
  let identity: NodeIdentity
  let ipmi: (hostname: String, username: String, password: String)

  /// Writes the registration in one transaction.
  /// - Parameter ready: set the node `ready` (taking VMs) instead of keeping its domain state,
  ///   unless a flush is under way (`flush`: a stop interrupted it, and it goes on).
  func register(ready: Bool) async throws {
    let node = try Layout.node(identity.name)
    let mode = identity.isCoordinator ? "coordinator" : "hypervisor"
    let existing = try await zookeeper.record(node)
    let isNew = existing[.root] == nil
    var values: [NodeKey: String] = [
      .root: mode, .mode: mode, .daemonState: NodeDaemonState.initializing.rawValue,
      .routerState: identity.isCoordinator
        ? NodeCoordinatorState.secondary.rawValue : NodeCoordinatorState.client.rawValue,
      .staticData: HostMetrics.staticData(), .pvcVersion: PVCKitVersion.string,
      .ipmiHostname: ipmi.hostname, .ipmiUsername: ipmi.username, .ipmiPassword: ipmi.password,
      .activeSchema: String(Layout.currentVersion), .latestSchema: String(Layout.currentVersion),
    ]
    if isNew {
      values[.keepalive] = String(Int(ContinuousClock.now.epochSeconds))
      values[.domainState] = NodeDomainState.flushed.rawValue
      for key: NodeKey in [
        .memoryTotal, .memoryUsed, .memoryFree, .memoryAllocated, .memoryProvisioned, .vcpuAllocated, .domainCount,
        .networkCount,
      ] { values[key] = "0" }
      values[.cpuLoad] = "0.0"
      values[.runningDomains] = ""
    }
    // A flush the administrator asked for, interrupted by a stop, goes on: auto-ready does not undo it.
    if ready && existing[.domainState] != NodeDomainState.flush.rawValue {
      values[.domainState] = NodeDomainState.ready.rawValue
    }
    // Every key of the node, created with its default where missing.
    var operations: [ZooKeeperOperation] = []
    for key in NodeKey.allCases where key.spec.exists(in: Layout.currentVersion) {
      let value = values[key] ?? key.spec.defaultValue
      if existing[key] == nil {
        operations.append(.create(node.path(key), value))
      } else if values[key] != nil {
        operations.append(.set(node.path(key), value))
      }
    }
    try await zookeeper.multi(operations)
  }
}

extension ContinuousClock.Instant {
  /// Wall-clock seconds since the epoch (for keepalive timestamps, which other nodes compare).
  var epochSeconds: Double { Date().timeIntervalSince1970 }
}
