import Foundation
import PVCKit

/// Upstream PVC's metric families (spec/metrics.md), with upstream's names and labels: `/metrics/health` and
/// `/metrics/resource`. Per-VM and per-storage families are in their own files.
enum UpstreamMetrics {
  /// Every state each count family lists, so that a state with nothing in it answers 0 rather than no series.
  static let nodeDaemonStates = ["init", "run", "shutdown", "stop", "dead", "fenced"]
  static let nodeDomainStates = ["ready", "flush", "flushed", "unflush", "fence-flush"]
  static let vmStates = [
    "start", "restart", "shutdown", "stop", "disable", "fail", "migrate", "migrate-live", "unmigrate", "provision",
    "import", "restore", "mirror", "delete",
  ]

  /// Cluster information, health, faults, state counts and object counts.
  static func health(_ source: MetricsSource, into metrics: MetricsWriter) {
    let status = source.status
    metrics.info(
      "pvc_info", "The cluster: its version, primary coordinator and upstream address",
      [
        ("primary_node", status.primaryNode ?? "none"), ("upstream_ip", status.upstreamIP),
        ("version", status.pvcVersion),
      ])
    metrics.set("pvc_cluster_health", "Cluster health, 0 to 100", status.clusterHealth.health)
    metrics.set("pvc_cluster_maintenance", "1 while the cluster is in maintenance mode", status.maintenance ? 1 : 0)
    for fault in status.detail.faults {
      metrics.set(
        "pvc_cluster_faults", "Each fault, its value its health delta",
        [("id", fault.id), ("message", fault.message), ("status", fault.status)],
        fault.healthDelta)
    }
    for node in source.nodes {
      metrics.set("pvc_node_health", "Node health, 0 to 100", [("node", node.name)], node.health ?? 0)
    }
    counts(
      "pvc_node_daemon_states", "Nodes by daemon state", nodeDaemonStates,
      source.nodes.map(\.daemonState.rawValue), into: metrics)
    counts(
      "pvc_node_domain_states", "Nodes by domain state", nodeDomainStates,
      source.nodes.map(\.domainState.rawValue), into: metrics)
    counts("pvc_vm_states", "VMs by state", vmStates, source.vms.map(\.state.rawValue), into: metrics)
    counts(
      "pvc_ceph_osd_up_states", "OSDs up and down", ["up", "down"], source.osds.map { $0.isUp ? "up" : "down" },
      into: metrics)
    counts(
      "pvc_ceph_osd_in_states", "OSDs in and out", ["in", "out"], source.osds.map { $0.isIn ? "in" : "out" },
      into: metrics)
    metrics.set("pvc_nodes", "Nodes", source.nodes.count)
    metrics.set("pvc_vms", "VMs", source.vms.count)
    metrics.set("pvc_networks", "Client networks", status.networks)
    metrics.set("pvc_osds", "Ceph OSDs", source.osds.count)
    metrics.set("pvc_pools", "Storage pools", source.pools.count)
    metrics.set("pvc_volumes", "Storage volumes", status.volumes)
    metrics.set("pvc_snapshots", "Storage snapshots", status.snapshots)
  }

  /// One sample per known state (and per other state found), each the number of objects in it.
  static func counts(
    _ name: String, _ help: String, _ known: [String], _ states: [String], into metrics: MetricsWriter
  ) {
    var counted = Dictionary(uniqueKeysWithValues: known.map { ($0, 0) })
    for state in states { counted[state, default: 0] += 1 }
    for (state, count) in counted.sorted(by: { $0.key < $1.key }) {
      metrics.set(name, help, [("state", state)], count)
    }
  }

  /// Cluster utilization and each node's, VM's, OSD's and pool's figures.
  static func resource(_ source: MetricsSource, into metrics: MetricsWriter) {
    cluster(source, into: metrics)
    for node in source.nodes { self.node(node, into: metrics) }
    VMMetrics.all(source.vms, into: metrics)
    CephMetrics.all(osds: source.osds, pools: source.pools, into: metrics)
  }

  /// The cluster's utilization, as percentages; memory and CPU of what is left with the largest node lost (n-1).
  static func cluster(_ source: MetricsSource, into metrics: MetricsWriter) {
    let nodes = source.nodes.filter { $0.daemonState == .run }
    let memory = nodes.map(\.memory.total)
    let spareMemory = max(1, memory.reduce(0, +) - (memory.max() ?? 0))
    let cpus = nodes.map(\.cpuCount)
    let spareCPUs = max(1, cpus.reduce(0, +) - (cpus.max() ?? 0))
    func percent(_ part: Int, _ whole: Int) -> Double { Self.percent(Double(part), Double(whole)) }
    let load: Double = nodes.map(\.load).reduce(0, +)
    metrics.set(
      "pvc_cluster_cpu_utilization", "Load against the CPUs left with the largest node lost, percent",
      Self.percent(load, Double(spareCPUs)))
    metrics.set(
      "pvc_cluster_memory_real_utilization", "Memory in use against what is left with the largest node lost, percent",
      percent(nodes.map(\.memory.used).reduce(0, +), spareMemory))
    metrics.set(
      "pvc_cluster_memory_allocated_utilization",
      "Memory of running VMs against what is left with the largest node lost, percent",
      percent(nodes.map(\.memory.allocated).reduce(0, +), spareMemory))
    metrics.set(
      "pvc_cluster_memory_provisioned_utilization",
      "Memory of all VMs against what is left with the largest node lost, percent",
      percent(nodes.map(\.memory.provisioned).reduce(0, +), spareMemory))
    var osdKB = 0.0
    var usedKB = 0.0
    for osd in source.osds {
      let size = CephMetrics.number(osd.stats, "kb")
      osdKB += size
      usedKB += size * CephMetrics.number(osd.stats, "utilization") / 100
    }
    metrics.set("pvc_cluster_disk_utilization", "Space used on all OSDs, percent", Self.percent(usedKB, osdKB))
    let network = nodes.map(NetworkFigures.init)
    metrics.set(
      "pvc_cluster_network_utilization", "Traffic against link speed over all nodes' interfaces, percent",
      NetworkFigures.utilization(network))
    metrics.set(
      "pvc_node_load", "Sum of the nodes' 1-minute load averages (per node: pvc_node_cpu_utilization)",
      load)
  }

  /// `part` of `whole` in percent, one decimal (0 for no whole).
  static func percent(_ part: Double, _ whole: Double) -> Double {
    guard whole > 0 else { return 0 }
    return (part / whole * 1000).rounded() / 10
  }

  /// One node's figures.
  static func node(_ node: NodeInfo, into metrics: MetricsWriter) {
    let label = [("node", node.name)]
    let memory = node.memory
    func percent(_ part: Int) -> Double { Self.percent(Double(part), Double(memory.total)) }
    metrics.set("pvc_node_allocated_memory", "Memory of the node's running VMs, MiB", label, memory.allocated)
    metrics.set(
      "pvc_node_allocated_memory_utilization", "Memory of running VMs against the node's, percent", label,
      percent(memory.allocated))
    metrics.set("pvc_node_allocated_vcpus", "vCPUs of the node's running VMs", label, node.vcpu.allocated)
    metrics.info(
      "pvc_node_architecture", "The node's architecture", [("architecture", node.arch), ("node", node.name)])
    metrics.set(
      "pvc_node_cpu_utilization", "The node's 1-minute load against its CPUs, percent", label,
      Self.percent(node.load, Double(max(1, node.cpuCount))))
    metrics.set("pvc_node_domains_count", "VMs running on the node", label, node.domainsCount)
    metrics.set("pvc_node_free_memory", "The node's free memory, MiB", label, memory.free)
    metrics.set("pvc_node_host_cpus", "The node's CPUs", label, node.cpuCount)
    metrics.info("pvc_node_kernel", "The node's running kernel", [("kernel", node.kernel), ("node", node.name)])
    let network = NetworkFigures(node)
    metrics.set("pvc_node_network_packets_rx", "Packets received per second", label, network.rxPackets)
    metrics.set("pvc_node_network_packets_tx", "Packets sent per second", label, network.txPackets)
    metrics.set("pvc_node_network_traffic_rx", "Bits received per second", label, network.rxBits)
    metrics.set("pvc_node_network_traffic_tx", "Bits sent per second", label, network.txBits)
    metrics.set(
      "pvc_node_network_utilization", "Traffic against link speed, percent", label,
      NetworkFigures.utilization([network]))
    metrics.set("pvc_node_provisioned_memory", "Memory of all the node's VMs, MiB", label, memory.provisioned)
    metrics.set(
      "pvc_node_provisioned_memory_utilization", "Memory of all VMs against the node's, percent", label,
      percent(memory.provisioned))
    metrics.set("pvc_node_total_memory", "The node's memory, MiB", label, memory.total)
    metrics.set("pvc_node_used_memory", "The node's memory in use, MiB", label, memory.used)
    metrics.set(
      "pvc_node_used_memory_utilization", "The node's memory in use, percent", label, percent(memory.used))
  }
}

/// A node's network figures from its interfaces' rates (upstream's `interfaces` of the node record: per interface
/// `rx_b`/`tx_b` in bits and `rx_p`/`tx_p` in packets per second, `link_speed` in bits per second).
struct NetworkFigures {
  var rxBits = 0.0
  var txBits = 0.0
  var rxPackets = 0.0
  var txPackets = 0.0
  var speed = 0.0

  init(_ node: NodeInfo) {
    for case .object(let interface) in node.interfaces.values {
      rxBits += CephMetrics.number(interface["rx_b"])
      txBits += CephMetrics.number(interface["tx_b"])
      rxPackets += CephMetrics.number(interface["rx_p"])
      txPackets += CephMetrics.number(interface["tx_p"])
      speed += CephMetrics.number(interface["link_speed"])
    }
  }

  /// The larger direction's traffic against the links' speed, percent (0 when no speed is known).
  static func utilization(_ figures: [NetworkFigures]) -> Double {
    let speed = figures.map(\.speed).reduce(0, +)
    guard speed > 0 else { return 0 }
    let traffic = max(figures.map(\.rxBits).reduce(0, +), figures.map(\.txBits).reduce(0, +))
    return UpstreamMetrics.percent(traffic, speed)
  }
}
