import Foundation
import Hummingbird
import PVCKit

/// `/dns`: zones and records (a PVCKit extension).
enum DNSRoutes {
  static let all: [APIRoute] = [
    APIRoute(.dnsZoneList) { call in
      try Responses.json(try await call.cluster.dns.zones(limit: call.parameters.string("limit")))
    },
    APIRoute(.dnsZoneAdd) { call in
      let p = call.parameters
      let zone = p.string("zone") ?? ""
      try await call.cluster.dns.addZone(zone, nameservers: p.strings("nameserver"), contact: p.string("contact"))
      return Responses.message("Added zone \(zone).")
    },
    APIRoute(.dnsZoneInfo) { call in try Responses.json(try await call.cluster.dns.zone(call.path("zone"))) },
    APIRoute(.dnsZoneRemove) { call in
      try await call.cluster.dns.removeZone(call.path("zone"))
      return Responses.message("Removed zone \(call.path("zone")).")
    },
    APIRoute(.dnsRecordList) { call in
      let p = call.parameters
      return try Responses.json(
        try await call.cluster.dns.records(
          zone: call.path("zone"), name: p.string("name"), type: p.string("type").flatMap(DNSRecordType.init)))
    },
    APIRoute(.dnsRecordAdd) { call in
      try Responses.json(try await call.cluster.dns.addRecord(try request(call), zone: call.path("zone")))
    },
    APIRoute(.dnsRecordAddMany) { call in
      let text = call.parameters.raw("records") ?? ""
      let requests: [DNSRecordRequest]
      do {
        requests = try JSONDecoder().decode([DNSRecordRequest].self, from: Data(text.utf8))
      } catch {
        throw APIError.parameter("records", "not a JSON list of records ({name, type, content, ttl, priority})")
      }
      return try Responses.json(try await call.cluster.dns.addRecords(requests, zone: call.path("zone")))
    },
    APIRoute(.dnsRecordModify) { call in
      try Responses.json(
        try await call.cluster.dns.modifyRecord(try id(call), zone: call.path("zone"), to: try request(call)))
    },
    APIRoute(.dnsRecordRemove) { call in
      let id = try id(call)
      try await call.cluster.dns.removeRecord(id, zone: call.path("zone"))
      return Responses.message("Removed record \(id) from zone \(call.path("zone")).")
    },
  ]

  /// A record's parameters (their presence and forms are checked by the spec).
  static func request(_ call: APICall) throws -> DNSRecordRequest {
    let p = call.parameters
    guard let type = p.string("type").flatMap(DNSRecordType.init) else {
      throw APIError.parameter("type", "not a record type")
    }
    return DNSRecordRequest(
      name: p.string("name") ?? "", type: type, content: p.string("content") ?? "", ttl: p.int("ttl"),
      priority: p.int("priority"))
  }

  static func id(_ call: APICall) throws -> Int {
    let text = call.path("id")
    guard text.count <= 18, let id = Int(text), id > 0 else { throw APIError.parameter("id", "not a record number") }
    return id
  }
}
