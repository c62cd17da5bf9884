/// The DNS operations: zones and records in the cluster's database (MariaDB Galera, PowerDNS's gmysql
/// layout), served by PowerDNS on the primary. Implemented once per way of reaching a cluster.
///
/// Every change is checked by ``DNSRules`` first and made in one transaction that also raises the zone's SOA
/// serial, so PowerDNS never serves half a change. Zones and records the aggregator keeps (a managed
/// network's names) are read-only here.
public protocol DNSOperations: Sendable {
  /// Zones whose name matches `limit` (fuzzy unless anchored with ^ or $), sorted by name.
  func zones(limit: String?) async throws -> [DNSZone]
  /// One zone.
  func zone(_ name: String) async throws -> DNSZone
  /// Creates a zone with its SOA and NS records: `nameservers` (full names; at least one) answer for it,
  /// `contact` is the administrator's address in SOA form (`hostmaster.example.org`).
  func addZone(_ name: String, nameservers: [String], contact: String?) async throws
  /// Removes a zone and its records; refused for a managed network's zones.
  func removeZone(_ name: String) async throws

  /// A zone's records, optionally only those of one name (relative or full) and type, sorted by name and type.
  func records(zone: String, name: String?, type: DNSRecordType?) async throws -> [DNSRecord]
  /// Adds records to a zone in one transaction: all or none. Returns them with their numbers.
  @discardableResult
  func addRecords(_ requests: [DNSRecordRequest], zone: String) async throws -> [DNSRecord]
  /// Changes a user's record.
  @discardableResult
  func modifyRecord(_ id: Int, zone: String, to request: DNSRecordRequest) async throws -> DNSRecord
  /// Removes a user's record.
  func removeRecord(_ id: Int, zone: String) async throws
}

extension DNSOperations {
  /// Adds one record.
  @discardableResult
  public func addRecord(_ request: DNSRecordRequest, zone: String) async throws -> DNSRecord {
    guard let record = try await addRecords([request], zone: zone).first else {
      throw DNSError.invalid("no record was added")
    }
    return record
  }
}

/// A DNS operation that could not be done.
public enum DNSError: ClassifiedError, Sendable, Hashable, CustomStringConvertible {
  /// This connection has no DNS database configured.
  case noDatabase
  /// No such zone.
  case zoneNotFound(String)
  /// No such record in the zone.
  case recordNotFound(zone: String, id: Int)
  /// The zone exists already.
  case zoneExists(String)
  /// The zone or record is the aggregator's (a managed network's names).
  case readOnly(String)
  /// The record cannot live beside the zone's others.
  case conflict(String)
  /// A value is not acceptable.
  case invalid(String)
  /// The database's schema is newer than this PVCKit knows.
  case schemaTooNew(database: Int, known: Int)

  public var kind: ErrorKind {
    switch self {
    case .noDatabase, .schemaTooNew: .unavailable
    case .zoneNotFound, .recordNotFound: .notFound
    case .zoneExists, .readOnly, .conflict: .refused
    case .invalid: .invalid
    }
  }

  public var description: String {
    switch self {
    case .noDatabase:
      "this connection has no DNS database (configure database.mariadb in pvc.conf, or connect through the API)"
    case .zoneNotFound(let zone): "no zone \(zone)"
    case .recordNotFound(let zone, let id): "no record \(id) in zone \(zone)"
    case .zoneExists(let zone): "zone \(zone) already exists"
    case .readOnly(let what): "\(what) is kept by PVC's DNS aggregator from a managed network: it cannot be changed"
    case .conflict(let message), .invalid(let message): message
    case .schemaTooNew(let database, let known):
      "the DNS database's schema is version \(database), newer than this PVCKit's \(known): upgrade PVCKit"
    }
  }
}
