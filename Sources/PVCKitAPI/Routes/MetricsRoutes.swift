import Hummingbird
import PVCKit
import Prometheus

/// `/metrics`: the cluster's health and resources in Prometheus' text format.
/// Open, as upstream leaves it; answered from the status the server holds
/// (``HeldStatus``), never with a cluster scan per scrape.
enum MetricsRoutes {
  static let all: [APIRoute] = [
    APIRoute(.metrics) { call in
      let status = try await call.server.heldStatus(call)
      let registry = PrometheusCollectorRegistry()
      health(status, into: registry)
      resources(status, into: registry)
      return Responses.text(registry.emitToString())
    },
    APIRoute(.metricsHealth) { call in
      let registry = PrometheusCollectorRegistry()
      health(try await call.server.heldStatus(call), into: registry)
      return Responses.text(registry.emitToString())
    },
    APIRoute(.metricsCeph) { call in
      do {
        return Responses.text(try await call.cluster.storage.prometheusMetrics())
      } catch {
        // Upstream answers 400 when Ceph's metrics cannot be had.
        return Responses.message("Ceph metrics are not available: \(error)", status: .badRequest)
      }
    },
    APIRoute(.metricsResource) { call in
      let registry = PrometheusCollectorRegistry()
      resources(try await call.server.heldStatus(call), into: registry)
      return Responses.text(registry.emitToString())
    },
  ]

  static func health(_ status: ClusterStatus, into registry: PrometheusCollectorRegistry) {
    let cluster = ("cluster", status.clusterName)
    registry.makeGauge(
      name: "pvc_info",
      labels: [cluster, ("version", status.pvcVersion), ("primary_node", status.primaryNode ?? "none")],
      help: "The cluster, its version and its primary coordinator"
    ).set(to: 1)
    registry.makeGauge(name: "pvc_cluster_health", labels: [cluster], help: "Cluster health, 0 to 100")
      .set(to: Double(status.clusterHealth.health))
    registry.makeGauge(name: "pvc_cluster_maintenance", labels: [cluster], help: "1 in maintenance mode")
      .set(to: status.maintenance ? 1 : 0)
    registry.makeGauge(name: "pvc_faults", labels: [cluster], help: "Faults not yet acknowledged")
      .set(to: Double(status.detail.faults.filter { !$0.isAcknowledged }.count))
    for (node, health) in status.nodeHealth {
      registry.makeGauge(name: "pvc_node_health", labels: [cluster, ("node", node)], help: "Node health, 0 to 100")
        .set(to: Double(health.health ?? 0))
    }
  }

  static func resources(_ status: ClusterStatus, into registry: PrometheusCollectorRegistry) {
    let cluster = ("cluster", status.clusterName)
    for node in status.detail.node {
      registry.makeGauge(
        name: "pvc_node_state",
        labels: [cluster, ("node", node.name), ("daemon_state", node.daemonState), ("domain_state", node.domainState)],
        help: "1 for each node, labelled with its states"
      ).set(to: 1)
    }
    for (state, count) in status.vms where state != "total" {
      registry.makeGauge(name: "pvc_vms", labels: [cluster, ("state", state)], help: "VMs by state").set(
        to: Double(count))
    }
    let memory = status.resources.memory
    for (name, value) in [
      ("total", memory.total), ("used", memory.used), ("free", memory.free), ("allocated", memory.allocated),
      ("provisioned", memory.provisioned),
    ] {
      registry.makeGauge(name: "pvc_memory_\(name)_mebibytes", labels: [cluster], help: "Cluster memory: \(name)")
        .set(to: Double(value))
    }
    let vcpu = status.resources.cpu
    registry.makeGauge(name: "pvc_vcpu_total", labels: [cluster], help: "Host CPUs").set(to: Double(vcpu.total))
    registry.makeGauge(name: "pvc_vcpu_allocated", labels: [cluster], help: "vCPUs given to VMs")
      .set(to: Double(vcpu.allocated))
    registry.makeGauge(name: "pvc_load", labels: [cluster], help: "Total load").set(to: vcpu.load)
  }
}
