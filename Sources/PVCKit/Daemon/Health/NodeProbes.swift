import Foundation
import Logging

/// A node daemon's periodic work, one piece at a time, for benchmarks and diagnostics: a round of the built-in
/// health plugins that need no configuration (load, memory, disk, nics, lbvt, zkpr, pvcd) and one keepalive, for a
/// node of a cluster whose records exist.
public struct NodeProbes: Sendable {
  let zookeeper: ZooKeeper
  let libvirt: LibvirtConnection
  let node: String
  let runner: HealthRunner
  let keepalive: Keepalive

  /// Probes for `node`, reaching its libvirt and the ZooKeeper `servers` (`host:port`) its `zkpr` plugin asks.
  public init(
    zookeeper: ZooKeeper, libvirt: LibvirtConnection, node: String, servers: [String], devices: [String] = ["lo"]
  ) {
    self.zookeeper = zookeeper
    self.libvirt = libvirt
    self.node = node
    let plugins: [any HealthPlugin] = [
      LoadHealthPlugin(), MemoryHealthPlugin(), DiskHealthPlugin(), NICHealthPlugin(devices: devices),
      LibvirtHealthPlugin(libvirt: libvirt), ZooKeeperHealthPlugin(zookeeper: zookeeper, servers: servers),
      DaemonHealthPlugin(zookeeper: zookeeper, node: node, keepaliveInterval: .seconds(5)),
    ]
    runner = HealthRunner(zookeeper: zookeeper, node: node, plugins: plugins, logger: Logger(label: "probe"))
    let identity = NodeIdentity(
      name: node, isCoordinator: true, libvirtURI: libvirt.uri, consoleLogDirectory: "/var/log/libvirt",
      peerURI: { _ in "" })
    keepalive = Keepalive(zookeeper: zookeeper, libvirt: libvirt, identity: identity, view: NodeView())
  }

  /// One health round (every plugin at once, as pvcd runs them); returns the plugins' deltas by name.
  public func healthRound() async -> [String: Int] {
    Dictionary(uniqueKeysWithValues: await runner.round(runner.plugins).map { ($0.name, $0.check.delta) })
  }

  /// One keepalive, as pvcd's heartbeat writes it.
  public func keepaliveBeat() async throws {
    try await keepalive.beat()
  }
}
