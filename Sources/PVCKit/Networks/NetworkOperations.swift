/// The client network operations, implemented once per way of reaching a cluster.
public protocol NetworkOperations: Sendable {
  /// Networks whose VNI or description matches `limit` (a pattern, fuzzy unless
  /// anchored with ^ or $), sorted by VNI; every network without one.
  func list(limit: String?) async throws -> [NetworkInfo]
  /// One network.
  func info(_ vni: Int) async throws -> NetworkInfo
  /// Adds a network, checked first (``NetworkRules``).
  func add(_ network: NetworkDefinition) async throws
  /// Changes a network, checked first.
  func modify(_ vni: Int, _ change: NetworkChange) async throws
  /// Removes a network; refused while a VM has a NIC on it.
  func remove(_ vni: Int) async throws
  /// The network's DHCP leases and static reservations (only reservations with
  /// `staticOnly`), whose MAC, address or host name matches `limit`, sorted by address.
  func leases(_ vni: Int, limit: String?, staticOnly: Bool) async throws -> [NetworkLease]
  /// Reserves `ip` for `mac` under `hostname` (dnsmasq gives it out), checked first.
  func addReservation(_ vni: Int, mac: String, ip: String, hostname: String) async throws
  /// Removes the reservation of `mac`.
  func removeReservation(_ vni: Int, mac: String) async throws
  /// The network's firewall rules (in one direction, or both), whose description matches `limit`, in order.
  func acls(_ vni: Int, limit: String?, direction: Layout.RuleDirection?) async throws -> [NetworkACL]
  /// Adds a rule (``ACLRule``'s subset, rendered by PVCKit) at `order` (from 1;
  /// `nil`: last), moving the rules from there one place down.
  func addACL(_ vni: Int, description: String, direction: Layout.RuleDirection, order: Int?, rule: String)
    async throws
  /// Removes a rule; the ones after it move up.
  func removeACL(_ vni: Int, description: String) async throws
  /// The SR-IOV physical functions of a node (found by its pvcd at start).
  func sriovPhysicalFunctions(node: String) async throws -> [SRIOVPhysicalFunction]
  /// The SR-IOV virtual functions of a node, of one PF or all.
  func sriovVirtualFunctions(node: String, pf: String?) async throws -> [SRIOVVirtualFunction]
  /// Changes a VF's settings (the node's pvcd applies them), checked first.
  func setSRIOVVirtualFunction(node: String, vf: String, _ change: SRIOVVirtualFunctionChange) async throws
}

extension NetworkOperations {
  /// Every network, sorted by VNI.
  public func list() async throws -> [NetworkInfo] { try await list(limit: nil) }
}

/// An error from a network operation.
public enum NetworkError: ClassifiedError, Sendable, Hashable, CustomStringConvertible {
  /// No network has this VNI.
  case notFound(Int)
  /// A network with this VNI exists.
  case exists(Int)
  /// A value is not acceptable (the message names it).
  case invalid(String)
  /// VMs have NICs on the network.
  case inUse(vni: Int, vms: [String])
  /// No reservation or lease for this MAC address in the network.
  case leaseNotFound(vni: Int, mac: String)
  /// The MAC address has a reservation already.
  case reservationExists(vni: Int, mac: String)
  /// No firewall rule of this description in the network.
  case aclNotFound(vni: Int, description: String)
  /// A firewall rule of this description exists in the network.
  case aclExists(vni: Int, description: String)
  /// The node has no such SR-IOV VF.
  case vfNotFound(node: String, vf: String)

  public var kind: ErrorKind {
    switch self {
    case .notFound, .leaseNotFound, .aclNotFound, .vfNotFound: .notFound
    case .invalid: .invalid
    case .exists, .inUse, .reservationExists, .aclExists: .refused
    }
  }

  public var description: String {
    switch self {
    case .notFound(let vni): "no network with VNI \(vni) exists"
    case .exists(let vni): "a network with VNI \(vni) already exists"
    case .invalid(let message): message
    case .leaseNotFound(let vni, let mac): "no reservation or lease for \(mac) in network \(vni)"
    case .reservationExists(let vni, let mac): "\(mac) already has a reservation in network \(vni)"
    case .aclNotFound(let vni, let description): "network \(vni) has no firewall rule \"\(description)\""
    case .aclExists(let vni, let description): "network \(vni) already has a firewall rule \"\(description)\""
    case .vfNotFound(let node, let vf): "node \(node) has no SR-IOV VF \(vf)"
    case .inUse(let vni, let vms):
      "network \(vni) is used by VM\(vms.count == 1 ? "" : "s") \(vms.joined(separator: ", ")): remove their NICs first"
    }
  }
}
