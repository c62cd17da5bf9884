/// A DHCP lease of a managed network, or a static reservation (`static`), as
/// upstream's API shows them (`GET /network/{vni}/lease`).
public struct NetworkLease: Codable, Sendable, Hashable {
  public var hostname: String
  public var ip4Address: String
  public var macAddress: String
  /// When the lease ends (UNIX time; 0 for a reservation).
  public var timestamp: Int
  /// A static reservation rather than a lease dnsmasq gave out.
  public var isStatic: Bool

  enum CodingKeys: String, CodingKey {
    case hostname, timestamp
    case ip4Address = "ip4_address"
    case macAddress = "mac_address"
    case isStatic = "static"
  }

  /// Creates a lease or a reservation.
  public init(hostname: String, ip4Address: String, macAddress: String, timestamp: Int = 0, isStatic: Bool) {
    self.hostname = hostname
    self.ip4Address = ip4Address
    self.macAddress = macAddress
    self.timestamp = timestamp
    self.isStatic = isStatic
  }
}

extension NetworkRules {
  /// A MAC address in the form dnsmasq and libvirt write (`52:54:00:12:34:56`), lower case; `nil` if it is not one.
  public static func mac(_ text: String) -> String? {
    let parts = text.lowercased().split(separator: ":", omittingEmptySubsequences: false)
    guard parts.count == 6,
      parts.allSatisfy({ $0.count == 2 && $0.allSatisfy(\.isHexDigit) && $0.allSatisfy(\.isASCII) })
    else { return nil }
    return parts.joined(separator: ":")
  }

  /// Refuses a reservation that cannot work on `network` or clashes with `others`.
  public static func check(reservation: NetworkLease, on network: NetworkInfo, others: [NetworkLease])
    throws(NetworkError)
  {
    guard network.type == .managed, let subnet = IPNetwork(network.ip4.network) else {
      throw .invalid("network \(network.vni) has no IPv4 network of PVC's to reserve addresses in")
    }
    guard mac(reservation.macAddress) != nil else {
      throw .invalid("'\(shown(reservation.macAddress))' is not a MAC address (such as 52:54:00:12:34:56)")
    }
    guard let address = IPAddress(reservation.ip4Address), subnet.contains(address) else {
      throw .invalid("'\(shown(reservation.ip4Address))' is not an address inside \(subnet)")
    }
    guard address != subnet.address, address != subnet.last, address != IPAddress(network.ip4.gateway) else {
      throw .invalid("\(address) is the network's own, broadcast or gateway address")
    }
    let host = reservation.hostname
    guard (1...63).contains(host.utf8.count), isDomain(host), !host.contains(".") else {
      throw .invalid("'\(shown(host))' is not a host name (letters, digits and hyphens, 1 to 63)")
    }
    if let clash = others.first(where: {
      $0.ip4Address == reservation.ip4Address && $0.macAddress != reservation.macAddress
    }) {
      throw .invalid("\(address) is already reserved for \(clash.macAddress)")
    }
  }
}
