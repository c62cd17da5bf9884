import Foundation
import PVCKit
import Prometheus
import Synchronization

/// What `/metrics` is made from, read together: the cluster's status and its nodes, VMs, OSDs, pools and tasks
/// (from the server's watch-fed views where it has them). Storage that does not answer leaves its families empty.
struct MetricsSource: Sendable {
  var status: ClusterStatus
  var nodes: [NodeInfo]
  var vms: [VMInfo]
  var osds: [OSDInfo]
  var pools: [PoolInfo]
  var tasks: [ClusterTask]
  /// How many fences of each node succeeded and failed.
  var fences: [(node: String, result: String, count: Int)] = []
  /// When it was read.
  var readAt = Date()

  /// Reads the figures; storage that does not answer this time keeps its last figures (`previous`), so that its
  /// series do not vanish from Prometheus for a slow answer.
  static func read(_ cluster: PVCCluster, previous: MetricsMemory? = nil) async throws -> MetricsSource {
    async let status = cluster.status()
    async let nodes = cluster.nodes.list()
    async let vms = cluster.vms.list()
    async let osds = try? cluster.storage.osds(limit: nil)
    async let pools = try? cluster.storage.pools(limit: nil)
    async let tasks = try? cluster.tasks.list()
    var fences: [(node: String, result: String, count: Int)] = []
    if let zookeeper = cluster.zookeeper { fences = (try? await FenceCounts.all(in: zookeeper)) ?? [] }
    let (readOSDs, readPools) = (await osds, await pools)
    let storage: (osds: [OSDInfo], pools: [PoolInfo]) =
      previous?.storage(osds: readOSDs, pools: readPools) ?? (readOSDs ?? [], readPools ?? [])
    return MetricsSource(
      status: try await status, nodes: try await nodes, vms: try await vms, osds: storage.osds,
      pools: storage.pools, tasks: await tasks ?? [], fences: fences)
  }
}

/// The storage figures last read, for a read whose storage does not answer.
final class MetricsMemory: Sendable {
  private let last = Mutex<(osds: [OSDInfo], pools: [PoolInfo])>(([], []))

  /// What was read now, each part that failed (`nil`) taken from the last read, and kept for the next.
  func storage(osds: [OSDInfo]?, pools: [PoolInfo]?) -> (osds: [OSDInfo], pools: [PoolInfo]) {
    last.withLock { last in
      if let osds { last.osds = osds }
      if let pools { last.pools = pools }
      return last
    }
  }
}

/// The figures rendered in Prometheus' text format, once per read of the source: every scrape until the next read
/// is answered with these strings.
struct MetricsSnapshot: Sendable {
  var health: String
  var resource: String
  /// PVCKit's own gauges (`pvckit_`).
  var extras: String
  var source: MetricsSource

  init(_ source: MetricsSource) {
    self.source = source
    health = Self.render { UpstreamMetrics.health(source, into: $0) }
    resource = Self.render { UpstreamMetrics.resource(source, into: $0) }
    extras = Self.render { PVCKitMetrics.gauges(source, into: $0) }
  }

  static func render(_ fill: (MetricsWriter) -> Void) -> String {
    let registry = PrometheusCollectorRegistry()
    fill(MetricsWriter(registry: registry))
    return registry.emitToString()
  }
}

/// Sets gauges in a registry: one line per sample, label values taken as they are (the registry escapes them).
struct MetricsWriter {
  let registry: PrometheusCollectorRegistry

  /// Sets the gauge `name` with `labels` to `value`.
  func set(_ name: String, _ help: String, _ labels: [(String, String)], _ value: Double) {
    registry.makeGauge(name: name, labels: labels, help: help).set(to: value.isFinite ? value : 0)
  }

  /// Sets the gauge to a whole number.
  func set(_ name: String, _ help: String, _ labels: [(String, String)], _ value: Int) {
    set(name, help, labels, Double(value))
  }

  /// Sets a gauge without labels.
  func set(_ name: String, _ help: String, _ value: Double) { set(name, help, [], value) }

  /// Sets a gauge without labels to a whole number.
  func set(_ name: String, _ help: String, _ value: Int) { set(name, help, [], Double(value)) }

  /// An information gauge: 1, with what it says in its labels.
  func info(_ name: String, _ help: String, _ labels: [(String, String)]) {
    set(name, help, labels, 1)
  }
}
