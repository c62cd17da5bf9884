/// What a credential may do. Upstream has one kind of API token, which may do everything: such tokens are
/// administrators here. Every operation of the catalog needs one role (``OperationSpec/requiredRole``).
public enum AccessRole: String, Sendable, Hashable, CaseIterable, Comparable, Codable {
  /// Reads the cluster: every `GET` but the whole-cluster backup.
  case readOnly = "read-only"
  /// Also runs the cluster day to day: VM lifecycle (start, stop, migrate), node flush and ready, the primary
  /// role, maintenance, acknowledging faults, snapshots taken, tasks cancelled.
  case `operator` = "operator"
  /// Everything.
  case administrator = "administrator"

  private var rank: Int {
    switch self {
    case .readOnly: 0
    case .operator: 1
    case .administrator: 2
    }
  }

  public static func < (lhs: AccessRole, rhs: AccessRole) -> Bool { lhs.rank < rhs.rank }
}

/// A credential that may call the cluster's API: a token, the name the audit log shows for it, and its role.
public struct APICredential: Sendable, Hashable {
  public var token: String
  public var name: String
  public var role: AccessRole

  /// A credential; `name` is what the audit log records (never the token).
  public init(token: String, name: String, role: AccessRole = .administrator) {
    self.token = token
    self.name = name
    self.role = role
  }
}

extension OperationSpec {
  /// The operations an operator runs day to day (everything else that changes the cluster needs an administrator).
  static let operatorOperations: Set<String> = [
    "vm.set-state", "vm.set-node", "vm.snapshot-create", "vm.flush-locks", "node.set-domain-state",
    "node.set-coordinator-state", "cluster.set-maintenance", "fault.acknowledge", "fault.acknowledge-all",
    "task.cancel", "vm.console-attach", "vm.graphics-attach",
  ]

  /// Reads that reveal more than the cluster's state: the whole ZooKeeper tree (with every secret in it) and
  /// the audit log.
  static let administratorReads: Set<String> = ["cluster.backup", "cluster.audit"]

  /// The least role that may call this operation: reading needs read-only, the day-to-day lifecycle actions
  /// (and typing into a VM's console) operator, everything else administrator. Open operations (login, the API's root) need none.
  public var requiredRole: AccessRole {
    if isOpen { return .readOnly }
    if Self.administratorReads.contains(id) { return .administrator }
    if method == .get && !Self.operatorOperations.contains(id) { return .readOnly }
    return Self.operatorOperations.contains(id) ? .operator : .administrator
  }
}
