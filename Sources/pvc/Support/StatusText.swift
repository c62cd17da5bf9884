import PVCKit

/// The human-readable form of `pvc cluster status`.
struct StatusText {
  var status: ClusterStatus
  var short: Bool
  var colour: Bool

  func render() -> String {
    let health = status.clusterHealth.health
    let healthColour = health >= 90 ? "32" : health >= 50 ? "33" : "31"
    var lines: [String] = []
    let name = status.clusterName.isEmpty ? "PVC cluster" : "Cluster \(status.clusterName)"
    lines.append(
      "\(name): health \(Terminal.paint("\(health)%", healthColour, colour))"
        + (status.maintenance ? " " + Terminal.paint("(maintenance mode)", "34", colour) : ""))
    for message in status.clusterHealth.messages {
      lines.append("  -\(message.healthDelta)%  \(message.id): \(message.text)")
    }
    lines.append("")
    lines.append("  Primary node:  \(status.primaryNode ?? "none")")
    if !status.pvcVersion.isEmpty { lines.append("  PVC version:   \(status.pvcVersion)") }
    if !status.upstreamIP.isEmpty { lines.append("  Upstream IP:   \(status.upstreamIP)") }
    lines.append("  Nodes:         \(Self.counts(status.nodes))")
    lines.append("  VMs:           \(Self.counts(status.vms))")
    if short { return lines.joined(separator: "\n") }
    lines.append("  Networks:      \(status.networks)")
    lines.append("  OSDs:          \(Self.counts(status.osds))")
    lines.append("  Pools:         \(status.pools)   Volumes: \(status.volumes)   Snapshots: \(status.snapshots)")
    let memory = status.resources.memory
    let vcpu = status.resources.cpu
    lines.append("")
    lines.append(
      "  Memory:        \(memory.used) / \(memory.total) MiB used (\(memory.utilization)%), "
        + "\(memory.allocated) MiB allocated, \(memory.provisioned) MiB provisioned")
    lines.append("  CPU:           load \(vcpu.load) on \(vcpu.total) threads, \(vcpu.allocated) vCPUs allocated")
    for (node, health) in status.nodeHealth.sorted(by: { $0.key < $1.key }) where !health.messages.isEmpty {
      lines.append("  \(node): health \(health.healthText)%: " + health.messages.joined(separator: "; "))
    }
    return lines.joined(separator: "\n")
  }

  /// `3 total (run,ready 3)`.
  static func counts(_ counts: [String: Int]) -> String {
    let total = counts["total"] ?? 0
    let detail = counts.filter { $0.key != "total" }.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }
    return detail.isEmpty ? "\(total) total" : "\(total) total (\(detail.joined(separator: ", ")))"
  }
}
