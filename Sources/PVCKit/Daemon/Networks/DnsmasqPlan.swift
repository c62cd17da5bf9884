/// How the primary runs one managed network's dnsmasq: its arguments, its
/// reservation files and its lease file, worked out from checked values only
/// (tested directly; ``DHCPServers`` runs it). Nothing here reaches a shell:
/// dnsmasq gets an argument list, and every value in it was parsed first.
enum DnsmasqPlan {
  /// How long a lease lasts (upstream's 48 hours).
  static let leaseTime = "48h"

  /// Where one network's dnsmasq keeps its files.
  struct Paths: Sendable, Hashable {
    var directory: String
    var pidFile: String { directory + "/dnsmasq.pid" }
    var leaseFile: String { directory + "/leases" }
    var hostsDirectory: String { directory + "/hosts" }
    var logFile: String { directory + "/dnsmasq.log" }
    /// The server of these files, found by its pid file.
    var daemon: PidFileDaemon { PidFileDaemon(pidFile: pidFile, marker: "--pid-file=\(pidFile)") }
  }

  /// Whether the network gets a dnsmasq: managed, with DHCPv4 on or an IPv6 network (router advertisements).
  static func serves(_ network: NetworkInfo) -> Bool {
    guard network.type == .managed else { return false }
    return (network.ip4.dhcpFlag && IPNetwork(network.ip4.network) != nil) || IPNetwork(network.ip6.network) != nil
  }

  /// dnsmasq's arguments for `network`, or `nil` when the network's values do not make a server
  /// (they are checked when written; a record changed behind PVCKit's back is refused here too).
  static func arguments(for network: NetworkInfo, paths: Paths) -> [String]? {
    guard serves(network) else { return nil }
    let bridge = "vmbr\(network.vni)"
    var arguments = [
      "--conf-file=/dev/null", "--pid-file=\(paths.pidFile)", "--user=root", "--interface=\(bridge)",
      "--except-interface=lo", "--bind-interfaces", "--no-resolv", "--no-hosts", "--no-ping",
      "--dhcp-authoritative", "--dhcp-leasefile=\(paths.leaseFile)", "--dhcp-hostsdir=\(paths.hostsDirectory)",
      "--log-facility=\(paths.logFile)", "--log-dhcp",
    ]
    var listening = false
    var subnets: [String] = []
    if let subnet = IPNetwork(network.ip4.network), subnet.isV4, let gateway = IPAddress(network.ip4.gateway),
      gateway.isV4, subnet.contains(gateway)
    {
      arguments.append("--listen-address=\(gateway)")
      listening = true
      subnets.append(subnet.description)
      if network.ip4.dhcpFlag {
        guard let start = IPAddress(network.ip4.dhcpStart), let end = IPAddress(network.ip4.dhcpEnd),
          subnet.contains(start), subnet.contains(end), start <= end
        else { return nil }
        arguments += [
          "--dhcp-range=\(start),\(end),\(netmask(subnet.prefixLength)),\(leaseTime)",
          "--dhcp-option=option:router,\(gateway)",
        ]
      }
      let servers = network.nameServers.compactMap { IPAddress($0) }.filter(\.isV4)
      if !servers.isEmpty {
        arguments.append("--dhcp-option=option:dns-server," + servers.map(\.description).joined(separator: ","))
      }
    }
    if let subnet = IPNetwork(network.ip6.network), !subnet.isV4, let gateway = IPAddress(network.ip6.gateway),
      !gateway.isV4, subnet.contains(gateway)
    {
      arguments.append("--listen-address=\(gateway)")
      listening = true
      subnets.append(subnet.description)
      arguments.append("--enable-ra")
      if network.ip6.dhcpFlag {
        arguments.append("--dhcp-range=\(subnet.address),ra-stateless,\(subnet.prefixLength),\(leaseTime)")
      } else {
        arguments.append("--dhcp-range=\(subnet.address),ra-only,\(subnet.prefixLength),\(leaseTime)")
      }
    }
    guard listening else { return nil }
    if !network.domain.isEmpty, NetworkRules.isDomain(network.domain) {
      // Authoritative for the domain and the network's reverse zones: names from leases and reservations.
      arguments += [
        "--domain=\(network.domain)", "--expand-hosts",
        "--auth-zone=" + ([network.domain] + subnets).joined(separator: ","),
        "--auth-server=ns1.\(network.domain),\(bridge)",
      ]
    }
    return arguments
  }

  /// The dotted netmask of an IPv4 prefix length (0 to 32).
  static func netmask(_ prefixLength: Int) -> String {
    let bits = max(0, min(32, prefixLength))
    let mask: UInt32 = bits == 0 ? 0 : UInt32.max << UInt32(32 - bits)
    return [24, 16, 8, 0].map { String((mask >> UInt32($0)) & 0xff) }.joined(separator: ".")
  }

  /// The reservation files of `--dhcp-hostsdir` (file name → content), one per
  /// MAC; reservations whose values do not check out are returned as problems.
  static func hostFiles(_ reservations: [NetworkLease], network: NetworkInfo) -> (
    files: [String: String], problems: [String]
  ) {
    var files: [String: String] = [:]
    var problems: [String] = []
    for reservation in reservations {
      do {
        try NetworkRules.check(reservation: reservation, on: network, others: [])
        guard let mac = NetworkRules.mac(reservation.macAddress), let address = IPAddress(reservation.ip4Address)
        else { continue }
        files[mac.replacingOccurrences(of: ":", with: "")] = "\(mac),\(address),\(reservation.hostname)\n"
      } catch {
        problems.append("reservation \(reservation.macAddress) of network \(network.vni): \(error)")
      }
    }
    return (files, problems)
  }

  /// One line of dnsmasq's lease file: `expiry mac ip hostname clientid`.
  struct Lease: Sendable, Hashable {
    var expiry: Int
    var mac: String
    var ip: String
    /// Empty when the client gave none (`*` in the file).
    var hostname: String
    var clientID: String

    /// The leases in a lease file; lines that are not IPv4 leases (DHCPv6's `duid` and its leases) are left out.
    static func parse(_ text: String) -> [Lease] {
      text.split(separator: "\n").compactMap { line in
        let fields = line.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        guard fields.count >= 4, let expiry = Int(fields[0]), expiry >= 0, let mac = NetworkRules.mac(fields[1]),
          let address = IPAddress(fields[2]), address.isV4
        else { return nil }
        let hostname = fields[3] == "*" || !NetworkRules.isDomain(fields[3]) ? "" : fields[3]
        let clientID =
          fields.count > 4 && fields[4] != "*" && fields[4].utf8.count <= 255
            && fields[4].allSatisfy { $0.isHexDigit || $0 == ":" } ? fields[4] : ""
        return Lease(expiry: expiry, mac: mac, ip: address.description, hostname: hostname, clientID: clientID)
      }
    }

    /// The lease file for `leases` (what dnsmasq reads at start).
    static func render(_ leases: [Lease]) -> String {
      leases.map {
        "\($0.expiry) \($0.mac) \($0.ip) \($0.hostname.isEmpty ? "*" : $0.hostname) \($0.clientID.isEmpty ? "*" : $0.clientID)\n"
      }.joined()
    }
  }
}
