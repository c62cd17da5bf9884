public import Foundation

/// The cluster fault checks the primary coordinator runs (upstream's fault map,
/// less the Ceph checks, which come with storage): a pure function of the
/// cluster's state, its nodes' health plugins' results included.
public enum FaultChecks {
  /// A VM as the checks see it.
  public struct VMSummary: Sendable, Hashable {
    public var name: String
    public var state: VMState
    public var failedReason: String

    public init(name: String, state: VMState, failedReason: String = "") {
      self.name = name
      self.state = state
      self.failedReason = failedReason
    }
  }

  /// Health deltas, as upstream weighs them.
  public static let deadNodeDelta = 50
  public static let failedVMDelta = 10
  public static let memoryOverprovisionedDelta = 50

  /// The faults the state shows: dead or fenced nodes, failed VMs, and memory
  /// allocated beyond what the cluster can hold with its largest node lost.
  public static func evaluate(nodes: [NodeInfo], vms: [VMSummary], at time: Date = Date()) -> [FaultReport] {
    var faults: [FaultReport] = []
    func add(_ id: String, _ delta: Int, _ message: String) {
      faults.append(FaultReport(id: id, healthDelta: delta, message: message, time: time))
    }
    for node in nodes.sorted(by: { $0.name < $1.name }) {
      switch node.daemonState {
      case .dead: add("DEAD_NODE_\(node.name)", deadNodeDelta, "Node \(node.name) is dead")
      case .fenced: add("DEAD_NODE_\(node.name)", deadNodeDelta, "Node \(node.name) was fenced")
      default: break
      }
    }
    // A health plugin that lowers a live node's health: a fault of half its delta, as upstream.
    for node in nodes.sorted(by: { $0.name < $1.name }) where node.daemonState == .run {
      for plugin in node.healthDetails.sorted(by: { $0.name < $1.name }) where plugin.healthDelta > 0 {
        add(
          "NODE_PLUGIN_\(plugin.name.uppercased())_\(node.name)", Swift.min(100, plugin.healthDelta) / 2,
          "Node \(node.name) health plugin \(plugin.name): \(plugin.message)")
      }
    }
    for vm in vms.sorted(by: { $0.name < $1.name }) where vm.state == .fail {
      let reason = vm.failedReason.isEmpty ? "" : ": \(vm.failedReason)"
      add("VM_FAILED_\(vm.name)", failedVMDelta, "VM \(vm.name) failed\(reason)")
    }
    let total = nodes.saturatingSum(\.memory.total)
    let allocated = nodes.saturatingSum(\.memory.allocated)
    let survivable = total.subtractingSaturated(nodes.map(\.memory.total).max() ?? 0)
    if nodes.count > 1, allocated > 0, allocated >= survivable {
      add(
        "MEMORY_OVERPROVISIONED", memoryOverprovisionedDelta,
        "Memory is overprovisioned: \(allocated) MiB allocated, \(survivable) MiB left if the largest node fails")
    }
    return faults
  }
}
