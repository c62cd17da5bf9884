import Foundation

/// DNS operations through a PVC HTTP API (PVCKit's `/dns` extension).
struct HTTPDNSOperations: DNSOperations {
  let client: APIClient

  func zones(limit: String?) async throws -> [DNSZone] {
    try await client.expect(.dnsZoneList, [], limit.map { [("limit", $0)] } ?? []).decode([DNSZone].self)
  }

  func zone(_ name: String) async throws -> DNSZone {
    try await client.expect(.dnsZoneInfo, [try DNSRules.zone(name)]).decode(DNSZone.self)
  }

  func addZone(_ name: String, nameservers: [String], contact: String?) async throws {
    var parameters = [("zone", name)] + nameservers.map { ("nameserver", $0) }
    if let contact { parameters.append(("contact", contact)) }
    _ = try await client.expect(.dnsZoneAdd, [], parameters)
  }

  func removeZone(_ name: String) async throws {
    _ = try await client.expect(.dnsZoneRemove, [try DNSRules.zone(name)])
  }

  func records(zone: String, name: String?, type: DNSRecordType?) async throws -> [DNSRecord] {
    var parameters: [(String, String)] = []
    if let name { parameters.append(("name", name)) }
    if let type { parameters.append(("type", type.rawValue)) }
    return try await client.expect(.dnsRecordList, [try DNSRules.zone(zone)], parameters).decode([DNSRecord].self)
  }

  func addRecords(_ requests: [DNSRecordRequest], zone: String) async throws -> [DNSRecord] {
    let zone = try DNSRules.zone(zone)
    if requests.count == 1, let request = requests.first {
      return [try await client.expect(.dnsRecordAdd, [zone], Self.parameters(request)).decode(DNSRecord.self)]
    }
    let list = String(decoding: try JSONEncoder().encode(requests), as: UTF8.self)
    return try await client.expect(.dnsRecordAddMany, [zone], [("records", list)]).decode([DNSRecord].self)
  }

  func modifyRecord(_ id: Int, zone: String, to request: DNSRecordRequest) async throws -> DNSRecord {
    try await client.expect(.dnsRecordModify, [try DNSRules.zone(zone), String(id)], Self.parameters(request))
      .decode(DNSRecord.self)
  }

  func removeRecord(_ id: Int, zone: String) async throws {
    _ = try await client.expect(.dnsRecordRemove, [try DNSRules.zone(zone), String(id)])
  }

  static func parameters(_ request: DNSRecordRequest) -> [(String, String)] {
    var parameters = [("name", request.name), ("type", request.type.rawValue), ("content", request.content)]
    if let ttl = request.ttl { parameters.append(("ttl", String(ttl))) }
    if let priority = request.priority { parameters.append(("priority", String(priority))) }
    return parameters
  }
}
