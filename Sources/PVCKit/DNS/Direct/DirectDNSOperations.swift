/// DNS operations performed directly on the cluster's database (``DNSLink``), as a user: the aggregator's
/// zones and records are read-only here.
struct DirectDNSOperations: DNSOperations {
  let link: DNSLink

  func zones(limit: String?) async throws -> [DNSZone] {
    let matcher = try VMFilter.Matcher.names(limit) { DNSError.invalid($0) }
    return try await link.database().zones().filter { matcher.matches($0.name) }
  }

  func zone(_ name: String) async throws -> DNSZone {
    try await link.database().zone(try DNSRules.zone(name))
  }

  func addZone(_ name: String, nameservers: [String], contact: String?) async throws {
    let zone = try DNSRules.zone(name)
    guard !nameservers.isEmpty else {
      throw DNSError.invalid("a zone needs at least one name server (such as ns1.\(zone))")
    }
    guard nameservers.count <= 16 else { throw DNSError.invalid("a zone takes at most 16 name servers") }
    let servers = try nameservers.map { (server) throws(DNSError) in try DNSRules.name(server, what: "name server") }
    let hostmaster = try DNSRules.name(contact ?? "hostmaster.\(zone)", what: "contact (hostmaster.example.org)")
    try await link.database().addZone(zone, nameservers: servers, contact: hostmaster)
  }

  func removeZone(_ name: String) async throws {
    try await link.database().removeZone(try DNSRules.zone(name), as: .user)
  }

  func records(zone: String, name: String?, type: DNSRecordType?) async throws -> [DNSRecord] {
    let zone = try DNSRules.zone(zone)
    return try await link.database().records(
      zone: zone, name: try name.map { (name) throws(DNSError) in try DNSRules.recordName(name, in: zone) },
      type: type)
  }

  func addRecords(_ requests: [DNSRecordRequest], zone: String) async throws -> [DNSRecord] {
    let zone = try DNSRules.zone(zone)
    guard requests.count <= 100_000 else { throw DNSError.invalid("at most 100000 records in one call") }
    let records = try requests.map { (request) throws(DNSError) in try DNSRules.record(request, in: zone) }
    return try await link.database().add(records, zone: zone, as: .user)
  }

  func modifyRecord(_ id: Int, zone: String, to request: DNSRecordRequest) async throws -> DNSRecord {
    let zone = try DNSRules.zone(zone)
    return try await link.database().modify(id, zone: zone, to: try DNSRules.record(request, in: zone), as: .user)
  }

  func removeRecord(_ id: Int, zone: String) async throws {
    try await link.database().remove([id], zone: try DNSRules.zone(zone), as: .user)
  }
}
