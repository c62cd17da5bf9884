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

  public var kind: ErrorKind {
    switch self {
    case .notFound, .leaseNotFound: .notFound
    case .invalid: .invalid
    case .exists, .inUse, .reservationExists: .refused
    }
  }

  public var description: String {
    switch self {
    case .notFound(let vni): "no network with VNI \(vni) exists"
    case .exists(let vni): "a network with VNI \(vni) already exists"
    case .invalid(let message): message
    case .leaseNotFound(let vni, let mac): "no reservation or lease for \(mac) in network \(vni)"
    case .reservationExists(let vni, let mac): "\(mac) already has a reservation in network \(vni)"
    case .inUse(let vni, let vms):
      "network \(vni) is used by VM\(vms.count == 1 ? "" : "s") \(vms.joined(separator: ", ")): remove their NICs first"
    }
  }
}
