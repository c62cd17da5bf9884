/// A VM to place on another node (its node died or is being flushed).
public struct DisplacedVM: Sendable, Hashable {
  public var uuid: String
  public var name: String
  public var memoryMiB: Int
  public var vcpus: Int
  public var limit: [String]
  public var selector: NodeSelector
  /// Its node before the move (kept as `last_node` when it already had one).
  public var lastNode: String

  /// Creates a displaced VM.
  public init(
    uuid: String, name: String, memoryMiB: Int, vcpus: Int, limit: [String] = [], selector: NodeSelector = .none,
    lastNode: String = ""
  ) {
    self.uuid = uuid
    self.name = name
    self.memoryMiB = memoryMiB
    self.vcpus = vcpus
    self.limit = limit
    self.selector = selector
    self.lastNode = lastNode
  }
}

/// Where a displaced VM goes.
public enum PlacementDecision: Sendable, Hashable {
  /// To this node.
  case move(uuid: String, to: String)
  /// Nowhere can take it: stop it and start it when its node returns (autostart).
  case park(uuid: String)
}

/// Plans where the VMs of a dead (or flushing) node go: pure, no I/O.
public enum RecoveryPlanner {
  /// Places each VM in turn with its selector, counting what earlier VMs of the
  /// plan took from each node, so that a node's VMs spread instead of all landing
  /// on the node that looked emptiest at first.
  public static func plan(
    _ vms: [DisplacedVM], from source: String, nodes: [NodeCandidate], clusterDefault: NodeSelector
  ) -> [PlacementDecision] {
    var nodes = nodes
    var decisions: [PlacementDecision] = []
    for vm in vms {
      guard
        let target = Placement.target(
          nodes: nodes, limit: vm.limit, selector: vm.selector, clusterDefault: clusterDefault, excluding: source),
        let index = nodes.firstIndex(where: { $0.name == target })
      else {
        decisions.append(.park(uuid: vm.uuid))
        continue
      }
      nodes[index].memoryFree -= vm.memoryMiB
      nodes[index].memoryProvisioned += vm.memoryMiB
      nodes[index].vcpusAllocated += vm.vcpus
      nodes[index].domainCount += 1
      decisions.append(.move(uuid: vm.uuid, to: target))
    }
    return decisions
  }
}
