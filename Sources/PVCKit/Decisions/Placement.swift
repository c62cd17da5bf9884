/// A node as placement sees it.
public struct NodeCandidate: Sendable, Hashable {
  public var name: String
  public var daemonState: NodeDaemonState
  public var domainState: NodeDomainState
  /// MiB.
  public var memoryFree: Int
  public var memoryUsed: Int
  public var memoryProvisioned: Int
  public var load: Double
  public var vcpusAllocated: Int
  public var domainCount: Int

  /// Creates a candidate.
  public init(
    name: String, daemonState: NodeDaemonState, domainState: NodeDomainState, memoryFree: Int, memoryUsed: Int,
    memoryProvisioned: Int, load: Double, vcpusAllocated: Int, domainCount: Int
  ) {
    self.name = name
    self.daemonState = daemonState
    self.domainState = domainState
    self.memoryFree = memoryFree
    self.memoryUsed = memoryUsed
    self.memoryProvisioned = memoryProvisioned
    self.load = load
    self.vcpusAllocated = vcpusAllocated
    self.domainCount = domainCount
  }
}

/// Where VMs go: pure decisions over node values, no I/O.
public enum Placement {
  /// The nodes that may take a VM: running and ready, inside the node limit
  /// (empty means any), and not the node it is on. In the nodes' order.
  public static func candidates(_ nodes: [NodeCandidate], limit: [String], excluding current: String?)
    -> [NodeCandidate]
  {
    nodes.filter { node in
      node.daemonState == .run && node.domainState == .ready && node.name != current
        && (limit.isEmpty || limit.contains(node.name))
    }
  }

  /// The target the selector picks among `candidates`, or `nil` if none qualifies.
  ///
  /// `mem`: most free memory (must be above 0). `memprov`: most of used plus
  /// free less provisioned (above 0). `load`: lowest load. `vcpus`: fewest
  /// allocated vCPUs. `vms`: fewest VMs. Ties go to the earlier node. `none`
  /// means `clusterDefault` (itself `mem` if it is `none`).
  public static func choose(
    among candidates: [NodeCandidate], selector: NodeSelector, clusterDefault: NodeSelector = .mem
  ) -> String? {
    let effective = selector == .none ? (clusterDefault == .none ? .mem : clusterDefault) : selector
    func best(_ score: (NodeCandidate) -> Double?, highest: Bool) -> String? {
      var winner: (name: String, score: Double)?
      for node in candidates {
        guard let value = score(node) else { continue }
        if winner == nil || (highest ? value > winner!.score : value < winner!.score) { winner = (node.name, value) }
      }
      return winner?.name
    }
    switch effective {
    case .mem: return best({ $0.memoryFree > 0 ? Double($0.memoryFree) : nil }, highest: true)
    case .memprov:
      return best(
        {
          let room = $0.memoryUsed + $0.memoryFree - $0.memoryProvisioned
          return room > 0 ? Double(room) : nil
        }, highest: true)
    case .load: return best({ Double($0.load) }, highest: false)
    case .vcpus: return best({ Double($0.vcpusAllocated) }, highest: false)
    case .vms: return best({ Double($0.domainCount) }, highest: false)
    case .none: return nil
    }
  }

  /// The target for a VM: candidates by limit and state, then the selector.
  public static func target(
    nodes: [NodeCandidate], limit: [String], selector: NodeSelector, clusterDefault: NodeSelector,
    excluding current: String?
  ) -> String? {
    choose(
      among: candidates(nodes, limit: limit, excluding: current), selector: selector, clusterDefault: clusterDefault)
  }
}
