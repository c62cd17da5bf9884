/// An error from a VM operation, saying what happened and what to do.
public enum VMError: Error, Sendable, Hashable, CustomStringConvertible {
  /// The libvirt XML is unusable.
  case invalidXML(String)
  /// A VM name breaks the naming rules.
  case invalidName(String)
  /// No VM has this name or UUID.
  case notFound(String)
  /// A VM with this name or UUID already exists.
  case duplicate(name: String, uuid: String)
  /// No node has this name.
  case nodeNotFound(String)
  /// The node is outside the VM's node limit.
  case nodeNotAllowed(node: String, vm: String)
  /// No node can take the VM.
  case noTarget(vm: String)
  /// The VM is already on (or assigned to) this node.
  case alreadyOnNode(vm: String, node: String)
  /// The VM is already temporarily migrated (use force, or unmigrate).
  case alreadyMigrated(vm: String)
  /// The VM has no previous node to return to.
  case notMigrated(vm: String)
  /// The VM's state does not allow the operation.
  case wrongState(vm: String, state: VMState, needed: String)
  /// The VM asks for more memory than its node has.
  case tooMuchMemory(vm: String, requested: Int, node: String, available: Int)
  /// The VM asks for more vCPUs than its node can give.
  case tooManyVCPUs(vm: String, requested: Int, node: String, available: Int)
  /// A snapshot mirror is changed only when forced.
  case mirrorNotForced(vm: String, action: String)
  /// A tag problem (missing, protected, not a user tag).
  case tag(String)
  /// An argument is invalid.
  case invalidArgument(String)
  /// Nothing to change.
  case nothingToChange
  /// The definition reaches the host and the cluster's policy does not allow it (``DomainPolicy``).
  case refusedByPolicy([String])
  /// The VM kept changing under the request (other requests won every race); nothing was written.
  case conflict(vm: String)

  public var description: String {
    switch self {
    case .invalidXML(let reason): "invalid VM definition: \(reason)"
    case .conflict(let vm):
      "VM \"\(vm)\" kept changing while the request was being made; nothing was changed, try again"
    case .refusedByPolicy(let findings):
      "the VM definition reaches the host, which this cluster does not allow (vm_policy.allow_host_access in pvc.conf): "
        + findings.joined(separator: "; ")
    case .invalidName(let reason): reason
    case .notFound(let vm): "could not find VM \"\(vm)\" in the cluster"
    case .duplicate(let name, let uuid):
      "specified VM \"\(name)\" or UUID \"\(uuid)\" matches an existing VM on the cluster"
    case .nodeNotFound(let node): "specified node \"\(node)\" is invalid"
    case .nodeNotAllowed(let node, let vm):
      "specified node \"\(node)\" is not in the allowed list of nodes for VM \"\(vm)\""
    case .noTarget(let vm): "could not find a valid migration target for VM \"\(vm)\""
    case .alreadyOnNode(let vm, let node): "VM \"\(vm)\" is already running on node \"\(node)\""
    case .alreadyMigrated(let vm): "VM \"\(vm)\" has been previously migrated (force the migration, or unmigrate it)"
    case .notMigrated(let vm): "VM \"\(vm)\" has not been previously migrated"
    case .wrongState(let vm, let state, let needed): "VM \"\(vm)\" is in state \"\(state)\"; \(needed)"
    case .tooMuchMemory(let vm, let requested, let node, let available):
      "VM \"\(vm)\" specifies more memory (\(requested) MiB) than node \"\(node)\" has available (\(available) MiB)"
    case .tooManyVCPUs(let vm, let requested, let node, let available):
      "VM \"\(vm)\" specifies more vCPUs (\(requested)) than node \"\(node)\" has available (\(available))"
    case .mirrorNotForced(let vm, let action): "VM \"\(vm)\" is a snapshot mirror and \(action) was not forced"
    case .tag(let message): message
    case .invalidArgument(let message): message
    case .nothingToChange: "no updates to apply"
    }
  }
}
