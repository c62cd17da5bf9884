import Hummingbird
import PVCKit
import PVCKitServer

/// The DNS pages' routes: the zone list, a zone's records, and their forms (removals confirmed first).
extension WebRoutes {
  func registerDNS(on router: Router<PVCRequestContext>) {
    router.get("/dns") { request, _ in
      try await page(request) { session, flash in
        DNSPages.zones(try await cluster.dns.zones(limit: nil), session: session, flash: flash)
      }
    }
    router.get("/dns/:zone") { request, context in
      let name = context.parameters.get("zone") ?? ""
      return try await page(request) { session, flash in
        async let zone = cluster.dns.zone(name)
        async let records = cluster.dns.records(zone: name, name: nil, type: nil)
        return DNSPages.zone(try await zone, records: try await records, session: session, flash: flash)
      }
    }
    router.post("/dns") { request, _ in
      try await action(request, .dnsZoneAdd) { _, form in
        let zone = form.first("zone") ?? ""
        let nameserver = form.first("nameserver").flatMap { $0.isEmpty ? nil : $0 } ?? "ns1.\(zone)"
        let contact = form.first("contact").flatMap { $0.isEmpty ? nil : $0 }
        try await cluster.dns.addZone(zone, nameservers: [nameserver], contact: contact)
        return Self.redirect(DNSPages.zonePath(zone), flash: "Added zone \(zone).")
      }
    }
    router.post("/dns/:zone/remove") { request, context in
      let zone = context.parameters.get("zone") ?? ""
      return try await action(request, .dnsZoneRemove) { session, form in
        guard form.first("confirm") == "yes" else {
          _ = try await cluster.dns.zone(zone)
          return Self.page(
            NetworkPages.confirm(
              "Really remove zone \(zone) and all its records?", action: "\(DNSPages.zonePath(zone))/remove",
              fields: [], back: DNSPages.zonePath(zone), session: session))
        }
        try await cluster.dns.removeZone(zone)
        return Self.redirect("/dns", flash: "Removed zone \(zone).")
      }
    }
    router.post("/dns/:zone/records") { request, context in
      let zone = context.parameters.get("zone") ?? ""
      return try await action(request, .dnsRecordAdd) { _, form in
        let record = try await cluster.dns.addRecord(try Self.recordRequest(form), zone: zone)
        return Self.redirect(
          DNSPages.zonePath(zone), flash: "Added record \(record.id): \(record.name) \(record.type.rawValue).")
      }
    }
    router.post("/dns/:zone/records/:verb") { request, context in
      let zone = context.parameters.get("zone") ?? ""
      let verb = context.parameters.get("verb") ?? ""
      return try await action(request, .dnsRecordRemove) { session, form in
        guard let id = Int(form.first("id") ?? "") else { throw WebError.badRequest("a record number is needed") }
        let page = DNSPages.zonePath(zone)
        switch verb {
        case "modify":
          let record = try await cluster.dns.modifyRecord(id, zone: zone, to: try Self.recordRequest(form))
          return Self.redirect(page, flash: "Changed record \(record.id).")
        case "remove":
          guard form.first("confirm") == "yes" else {
            return Self.page(
              NetworkPages.confirm(
                "Really remove record \(id) of zone \(zone)?", action: "\(page)/records/remove",
                fields: [("id", String(id))], back: page, session: session))
          }
          try await cluster.dns.removeRecord(id, zone: zone)
          return Self.redirect(page, flash: "Removed record \(id).")
        default:
          throw WebError.badRequest("unknown record action")
        }
      }
    }
  }

  /// A record from a form's fields (checked again by PVCKit).
  static func recordRequest(_ form: RequestParameters) throws -> DNSRecordRequest {
    guard let type = DNSRecordType(rawValue: (form.first("type") ?? "").uppercased()) else {
      throw WebError.badRequest("unknown record type")
    }
    func number(_ field: String) throws -> Int? {
      guard let text = form.first(field), !text.isEmpty else { return nil }
      guard let value = Int(text) else { throw WebError.badRequest("\(field) must be a whole number") }
      return value
    }
    return DNSRecordRequest(
      name: form.first("name") ?? "@", type: type, content: form.first("content") ?? "", ttl: try number("ttl"),
      priority: try number("priority"))
  }
}
