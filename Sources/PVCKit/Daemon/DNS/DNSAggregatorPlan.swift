/// What the aggregator keeps in the DNS database for the managed networks: per zone, the records the
/// network's leases, reservations and VMs make. Pure: the aggregator reads the cluster, this decides.
///
/// - Forward zone: the network's `domain`. Each lease or reservation with a hostname gives `<hostname>.<domain>
///   A <address>`; a VM whose NIC on the network has the lease's MAC gives `<vm name>.<domain> A <address>` too.
/// - Reverse zone: `in-addr.arpa` at the network's enclosing octet boundary (``DNSRules/reverseZone(for:)``),
///   a PTR per address to its first forward name.
/// - A hostname or VM name that is not a DNS label is left out and named in ``problems``.
struct DNSAggregatorPlan: Sendable, Equatable {
  /// The records of each zone, and the network the zone is for.
  var zones: [String: Zone] = [:]
  /// What was left out, for the log.
  var problems: [String] = []

  struct Zone: Sendable, Equatable {
    var network: Int
    var records: [DNSRecord]
  }

  /// The TTL of the aggregator's records: leases come and go.
  static let ttl = 60

  /// One managed network's inputs.
  struct Input: Sendable {
    var network: NetworkInfo
    var leases: [NetworkLease]
    /// VM names by the MAC of their NIC on this network (lower case).
    var vmsByMAC: [String: String]
  }

  init(_ inputs: [Input]) {
    for input in inputs { add(input) }
    for name in zones.keys {
      zones[name]?.records.sort { ($0.name, $0.type.rawValue, $0.content) < ($1.name, $1.type.rawValue, $1.content) }
    }
  }

  private mutating func add(_ input: Input) {
    let network = input.network
    guard network.type == .managed, !network.domain.isEmpty else { return }
    let domain: String
    do {
      domain = try DNSRules.zone(network.domain)
    } catch {
      problems.append("network \(network.vni): its domain '\(DNSRules.shown(network.domain))' is not a zone name")
      return
    }
    let subnet = IPNetwork(network.ip4.network)
    let reverse = subnet.flatMap(DNSRules.reverseZone(for:))
    var forward: Set<DNSRecord> = []
    var pointers: Set<DNSRecord> = []
    var pointed: Set<String> = []
    // Reservations first: a reservation's name wins the PTR over a lease of the same address.
    let ordered = input.leases.sorted {
      ($0.isStatic ? 0 : 1, $0.ip4Address, $0.macAddress) < ($1.isStatic ? 0 : 1, $1.ip4Address, $1.macAddress)
    }
    for lease in ordered {
      guard let address = IPAddress(lease.ip4Address), address.isV4, subnet?.contains(address) ?? true else {
        problems.append("network \(network.vni): lease \(lease.macAddress) has no address inside the network")
        continue
      }
      var names: [String] = []
      for label in [lease.hostname, NetworkRules.mac(lease.macAddress).flatMap { input.vmsByMAC[$0] } ?? ""]
      where !label.isEmpty {
        guard let name = Self.name(label, in: domain) else {
          problems.append("network \(network.vni): '\(DNSRules.shown(label))' is not a DNS label (left out)")
          continue
        }
        if !names.contains(name) { names.append(name) }
      }
      for name in names {
        forward.insert(Self.record(name, .a, address.description, zone: domain))
      }
      if let first = names.first, let reverse, let pointer = DNSRules.reverseName(of: address),
        !pointed.contains(pointer)
      {
        pointed.insert(pointer)
        pointers.insert(Self.record(pointer, .ptr, first, zone: reverse))
      }
    }
    zones[domain, default: Zone(network: network.vni, records: [])].records += forward
    if let reverse {
      zones[reverse, default: Zone(network: network.vni, records: [])].records += pointers
    }
  }

  /// `label.domain` when `label` is one DNS label (letters, digits, hyphens), lower case.
  static func name(_ label: String, in domain: String) -> String? {
    guard !label.contains("."), !label.contains("_"), !label.contains("*"),
      let checked = try? DNSRules.name(label + "." + domain)
    else { return nil }
    return checked
  }

  private static func record(_ name: String, _ type: DNSRecordType, _ content: String, zone: String) -> DNSRecord {
    DNSRecord(id: 0, zone: zone, name: name, type: type, content: content, ttl: ttl, source: .aggregator)
  }
}
