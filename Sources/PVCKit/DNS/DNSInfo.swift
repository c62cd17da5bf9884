/// The record types PVCKit manages (`SOA` is kept by PVCKit itself and shown, never written by users).
public enum DNSRecordType: String, Codable, Sendable, Hashable, CaseIterable {
  case a = "A"
  case aaaa = "AAAA"
  case cname = "CNAME"
  case ptr = "PTR"
  case txt = "TXT"
  case mx = "MX"
  case srv = "SRV"
  case ns = "NS"
  case soa = "SOA"

  /// The types a user may add, change or remove.
  public static let writable: [DNSRecordType] = allCases.filter { $0 != .soa }
}

/// Where a zone or a record comes from.
public enum DNSSource: String, Codable, Sendable, Hashable, CaseIterable {
  /// Added by an administrator: theirs to change.
  case user
  /// Kept by the primary's aggregator from a managed network's leases, reservations and VMs: read-only for users.
  case aggregator
}

/// A DNS zone served by the cluster's PowerDNS.
public struct DNSZone: Codable, Sendable, Hashable {
  /// The zone's name, without the final dot (`example.org`, `0.100.10.in-addr.arpa`).
  public var name: String
  /// Who keeps it: a managed network's (forward or reverse) zone is the aggregator's, others are users'.
  public var source: DNSSource
  /// The managed network whose names the zone holds, for the aggregator's zones.
  public var network: Int?
  /// The SOA serial: grows with every change.
  public var serial: Int
  /// How many records it holds (the SOA included).
  public var records: Int

  public init(name: String, source: DNSSource, network: Int? = nil, serial: Int, records: Int) {
    self.name = name
    self.source = source
    self.network = network
    self.serial = serial
    self.records = records
  }
}

/// One DNS record.
public struct DNSRecord: Codable, Sendable, Hashable {
  /// The record's number in the database (what ``DNSOperations/modifyRecord(_:zone:to:)`` and
  /// ``DNSOperations/removeRecord(_:zone:)`` name).
  public var id: Int
  /// The zone it belongs to.
  public var zone: String
  /// Its full name, without the final dot.
  public var name: String
  public var type: DNSRecordType
  /// Its data as PowerDNS keeps it: an address, a name, quoted text, `weight port target` for SRV...
  public var content: String
  /// Seconds a resolver may keep it.
  public var ttl: Int
  /// MX and SRV priority.
  public var priority: Int?
  public var source: DNSSource

  public init(
    id: Int, zone: String, name: String, type: DNSRecordType, content: String, ttl: Int, priority: Int? = nil,
    source: DNSSource
  ) {
    self.id = id
    self.zone = zone
    self.name = name
    self.type = type
    self.content = content
    self.ttl = ttl
    self.priority = priority
    self.source = source
  }
}

/// A record to add, or what a record becomes: its name may be relative to the zone (`www`, `@` for the apex) or
/// full; TXT content is the text itself (PVCKit quotes it); MX and SRV take their priority apart.
public struct DNSRecordRequest: Codable, Sendable, Hashable {
  public var name: String
  public var type: DNSRecordType
  public var content: String
  /// Seconds; `nil` takes the zone's default (300).
  public var ttl: Int?
  public var priority: Int?

  public init(name: String, type: DNSRecordType, content: String, ttl: Int? = nil, priority: Int? = nil) {
    self.name = name
    self.type = type
    self.content = content
    self.ttl = ttl
    self.priority = priority
  }
}
