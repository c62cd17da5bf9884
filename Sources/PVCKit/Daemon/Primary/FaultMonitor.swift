import Logging

/// The cluster fault checks, a primary duty: every monitoring interval it
/// evaluates ``FaultChecks`` over the nodes and VMs and raises or refreshes
/// the faults found. Nothing is raised in maintenance mode.
struct FaultMonitor: Sendable {
  let zookeeper: ZooKeeper
  let interval: Duration
  let logger: Logger

  /// Runs until cancelled.
  func run() async {
    while !Task.isCancelled {
      do {
        try await check()
      } catch {
        logger.warning("fault checks: \(error)")
      }
      try? await Task.sleep(for: interval)
    }
  }

  /// One round of checks.
  func check() async throws {
    guard try await zookeeper.string(Layout.base.path(.maintenance)) != "true" else { return }
    async let nodes = NodeRecords(zookeeper: zookeeper).all()
    async let index = VMRecords(zookeeper: zookeeper).index()
    let failed = try await index.filter { $0.state == .fail }
    let reasons = try await zookeeper.getMany(try failed.map { try Layout.domain($0.uuid).path(.failedReason) })
    let vms = zip(failed, reasons).map { vm, reason in
      FaultChecks.VMSummary(name: vm.name, state: vm.state, failedReason: reason?.string ?? "")
    }
    let reports = FaultChecks.evaluate(nodes: try await nodes, vms: vms)
    try await DirectFaultOperations(zookeeper: zookeeper).report(reports)
  }
}
