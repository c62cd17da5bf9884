/// Which nodes a listing returns, with upstream's `node list` semantics.
public struct NodeFilter: Sendable, Hashable {
  /// A name pattern, as for VMs (implicitly `.*pattern.*` unless anchored).
  public var limit: String?
  public var daemonState: NodeDaemonState?
  public var coordinatorState: NodeCoordinatorState?
  public var domainState: NodeDomainState?

  /// Creates a filter. The state conditions are alternatives: a node matching any of them is kept.
  public init(
    limit: String? = nil, daemonState: NodeDaemonState? = nil, coordinatorState: NodeCoordinatorState? = nil,
    domainState: NodeDomainState? = nil
  ) {
    self.limit = limit
    self.daemonState = daemonState
    self.coordinatorState = coordinatorState
    self.domainState = domainState
  }
}

/// The node operations, implemented once per way of reaching a cluster.
public protocol NodeOperations: Sendable {
  /// Nodes matching a filter, sorted by name.
  func list(_ filter: NodeFilter) async throws -> [NodeInfo]
  /// One node.
  func info(_ node: String) async throws -> NodeInfo
  /// Flushes a node (moves its VMs away) or makes it ready again (brings them back).
  /// - Parameter wait: return only once the node is `flushed` or `ready`.
  /// - Returns: what happened, for people.
  func setDomainState(_ node: String, _ action: NodeDomainAction, wait: Bool) async throws -> String
  /// Makes a coordinator the primary, or asks the primary to step down.
  /// - Parameter wait: return only once the node holds the requested role.
  /// - Returns: what happened, for people.
  func setCoordinatorState(_ node: String, _ role: NodeCoordinatorRole, wait: Bool) async throws -> String
  /// The name of the primary coordinator, or `nil` when there is none.
  func primary() async throws -> String?
  /// The last `lines` lines its daemon logged (published to ZooKeeper).
  func log(_ node: String, lines: Int) async throws -> String
}

/// What to do with a node's VMs.
public enum NodeDomainAction: String, Sendable, Hashable, CaseIterable {
  /// Move every VM away and take none (`flush`).
  case flush
  /// Take VMs again and bring back those a flush moved away (`ready`, also called unflush).
  case ready
}

/// A coordinator role an administrator can ask for.
public enum NodeCoordinatorRole: String, Sendable, Hashable, CaseIterable {
  case primary, secondary
}

extension NodeOperations {
  /// Every node, sorted by name.
  public func list() async throws -> [NodeInfo] { try await list(NodeFilter()) }
}

/// An error from a node operation.
public enum NodeError: Error, Sendable, Hashable, CustomStringConvertible {
  /// No node has this name.
  case notFound(String)
  /// A filter is invalid.
  case invalidArgument(String)
  /// The node is a hypervisor, not a coordinator.
  case notCoordinator(String)
  /// The node's daemon is not running.
  case notRunning(node: String, state: NodeDaemonState)
  /// A wait ran out of time.
  case timedOut(String)

  public var description: String {
    switch self {
    case .notFound(let node): "no node named \"\(node)\" is present in the cluster"
    case .invalidArgument(let message): message
    case .notCoordinator(let node): "node \(node) is not a coordinator, so it cannot be primary or secondary"
    case .notRunning(let node, let state): "node \(node) is not running (its daemon state is \(state.rawValue))"
    case .timedOut(let what): "timed out waiting for \(what)"
    }
  }
}

/// Node operations performed directly on ZooKeeper.
struct DirectNodeOperations: NodeOperations {
  let zookeeper: ZooKeeper
  /// The connection's watch-fed views, once it is followed.
  var views: ViewSlot?
  /// Whether a flush or ready that waits runs as a task on the node, as it
  /// does through the API (`false` inside a task, which waits in place).
  var waitsThroughTasks = true
  var records: NodeRecords { NodeRecords(zookeeper: zookeeper, reads: views?.view?.reads) }

  func list(_ filter: NodeFilter) async throws -> [NodeInfo] {
    var nameFilter = VMFilter(limit: filter.limit)
    nameFilter.fuzzy = true
    let matcher: VMFilter.Matcher
    do {
      matcher = try VMFilter.Matcher(nameFilter)
    } catch let error as VMError {
      throw NodeError.invalidArgument(error.description)
    }
    let all = try await records.all()
    let anyState = filter.daemonState != nil || filter.coordinatorState != nil || filter.domainState != nil
    return all.filter { node in
      guard matcher.matches(uuid: "", name: node.name, node: "", state: "", tags: []) else { return false }
      guard anyState else { return true }
      return node.daemonState == filter.daemonState || node.coordinatorState == filter.coordinatorState
        || node.domainState == filter.domainState
    }
  }

  func info(_ node: String) async throws -> NodeInfo {
    guard (try? Layout.node(node)) != nil else { throw NodeError.notFound(node) }
    // Followed: one node out of the kept list; else only that node is read.
    let found = records.reads is WatchedReads ? try await records.all() : try await records.infos([node])
    guard let info = found.first(where: { $0.name == node }) else { throw NodeError.notFound(node) }
    return info
  }
}
