import Foundation

/// The node's heartbeat: every interval it publishes its resources, its
/// running VMs and their statistics, and the time. Other nodes judge its
/// liveness by this.
struct Keepalive: Sendable {
  let zookeeper: ZooKeeper
  let libvirt: LibvirtConnection
  let identity: NodeIdentity
  let view: NodeView

  /// One heartbeat: VM statistics, then the node's counters and keepalive in one transaction. When libvirt does
  /// not answer, the node still beats (it is alive: its guests run on, and its `lbvt` health plugin reports the
  /// daemon), without the VM figures, and the failure is thrown afterwards for the log.
  func beat() async throws {
    let node = try Layout.node(identity.name)
    async let activeList = libvirt.activeDomains()
    async let statisticsByUUID = libvirt.statistics()
    var domains: (active: [ActiveDomain], statistics: [String: VMStatistics])?
    var libvirtError: (any Error)?
    do { domains = try await (activeList, statisticsByUUID) } catch { libvirtError = error }
    let host = HostMetrics.read()
    var operations: [ZooKeeperOperation] = [
      .set(node.path(.memoryTotal), String(host.memoryTotal)), .set(node.path(.memoryUsed), String(host.memoryUsed)),
      .set(node.path(.memoryFree), String(host.memoryFree)),
      .set(node.path(.cpuLoad), String(format: "%.2f", host.load)),
      .set(node.path(.keepalive), String(Int(Date().timeIntervalSince1970))),
    ]
    if let (active, statistics) = domains {
      let running = active.filter { $0.state.isActive }
      let allocatedMemory = statistics.values.saturatingSum { max(0, $0.maxmem / 1024) }
      let allocatedVCPUs = statistics.values.saturatingSum { max(0, $0.cpus) }
      let provisioned = await view.provisionedMemory
      // Statistics of VMs this cluster knows; pipelined, one write per VM.
      let encoder = UpstreamJSON.encoder()
      var writes: [ZooKeeperOperation] = []
      for (uuid, stats) in statistics {
        guard let ref = try? Layout.domain(uuid) else { continue }
        writes.append(.setData(path: ref.path(.stats), data: Array(try encoder.encode(stats)), version: nil))
      }
      _ = try await zookeeper.pipeline(writes)  // a VM deleted meanwhile is no error here
      operations += [
        .set(node.path(.memoryAllocated), String(allocatedMemory)),
        .set(node.path(.memoryProvisioned), String(provisioned)),
        .set(node.path(.vcpuAllocated), String(allocatedVCPUs)),
        .set(node.path(.domainCount), String(running.count)),
        .set(node.path(.runningDomains), running.map(\.uuid).sorted().joined(separator: " ")),
      ]
    }
    let state = try await zookeeper.string(node.path(.daemonState))
    if state != NodeDaemonState.run.rawValue && state != NodeDaemonState.shutdown.rawValue {
      operations.append(.set(node.path(.daemonState), NodeDaemonState.run.rawValue))
    }
    try await zookeeper.multi(operations)
    if let libvirtError { throw libvirtError }
  }
}
