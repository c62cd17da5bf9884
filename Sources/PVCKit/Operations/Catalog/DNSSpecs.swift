/// The DNS operations (`/dns`): zones and records in the cluster's database, served by PowerDNS on the
/// primary. A PVCKit extension: upstream PVC's API has no DNS operations.
extension OperationSpec {
  static let dnsNote = "PVCKit extension: upstream PVC has no DNS API (its aggregator's zones are not editable)"
  static let dnsRecordParameters: [OperationParameter] = [
    .string("name", required: true, "The record's name: relative to the zone, @ for the apex, or full"),
    .choice("type", DNSRecordType.writable.map(\.rawValue), required: true, "The record's type"),
    .string(
      "content", required: true,
      "Its data: an address (A, AAAA), a name (CNAME, PTR, NS, MX), text (TXT), 'weight port target' (SRV)"),
    .integer("ttl", 0...DNSRules.maximumTTL, "Seconds resolvers may keep it (default 300)"),
    .integer("priority", 0...65535, "MX and SRV priority (default 10)"),
  ]

  /// The DNS zones
  public static let dnsZoneList = OperationSpec(
    "dns.zone-list", .get, "/dns/zone", summary: "The DNS zones",
    parameters: [.string("limit", "A zone name pattern, fuzzy unless anchored with ^ or $")],
    responses: [200: "array:dnszone"], notes: [dnsNote])

  /// Add a DNS zone with its SOA and NS records
  public static let dnsZoneAdd = OperationSpec(
    "dns.zone-add", .post, "/dns/zone", summary: "Add a DNS zone with its SOA and NS records",
    parameters: [
      .string("zone", required: true, "The zone's name (such as example.org)"),
      .string("nameserver", required: true, repeated: true, "A name server answering for it (full name)"),
      .string("contact", "The administrator's address in SOA form (default hostmaster.<zone>)"),
    ],
    responses: [200: "Message", 400: "Message"], notes: [dnsNote])

  /// DNS zone {zone}
  public static let dnsZoneInfo = OperationSpec(
    "dns.zone-info", .get, "/dns/zone/{zone}", summary: "DNS zone {zone}",
    responses: [200: "dnszone", 404: "Message"], notes: [dnsNote])

  /// Remove DNS zone {zone} and its records
  public static let dnsZoneRemove = OperationSpec(
    "dns.zone-remove", .delete, "/dns/zone/{zone}", summary: "Remove DNS zone {zone} and its records",
    responses: [200: "Message", 400: "Message", 404: "Message"],
    notes: [dnsNote, "A managed network's zones are the aggregator's: refused"])

  /// The records of DNS zone {zone}
  public static let dnsRecordList = OperationSpec(
    "dns.record-list", .get, "/dns/zone/{zone}/record", summary: "The records of DNS zone {zone}",
    parameters: [
      .string("name", "Only this name (relative or full)"),
      .choice("type", DNSRecordType.allCases.map(\.rawValue), "Only this type"),
    ],
    responses: [200: "array:dnsrecord", 404: "Message"], notes: [dnsNote])

  /// Add a record to DNS zone {zone}
  public static let dnsRecordAdd = OperationSpec(
    "dns.record-add", .post, "/dns/zone/{zone}/record", summary: "Add a record to DNS zone {zone}",
    parameters: dnsRecordParameters, responses: [200: "dnsrecord", 400: "Message", 404: "Message"],
    notes: [dnsNote])

  /// Add many records to DNS zone {zone} at once: all or none
  public static let dnsRecordAddMany = OperationSpec(
    "dns.record-add-many", .post, "/dns/zone/{zone}/records",
    summary: "Add many records to DNS zone {zone} at once: all or none",
    parameters: [
      .text(
        "records", required: true,
        "A JSON list of records, each {name, type, content, ttl, priority} as for one record")
    ],
    responses: [200: "array:dnsrecord", 400: "Message", 404: "Message"], notes: [dnsNote])

  /// Change record {id} of DNS zone {zone}
  public static let dnsRecordModify = OperationSpec(
    "dns.record-modify", .put, "/dns/zone/{zone}/record/{id}", summary: "Change record {id} of DNS zone {zone}",
    parameters: dnsRecordParameters, responses: [200: "dnsrecord", 400: "Message", 404: "Message"],
    notes: [dnsNote, "The aggregator's records are refused"])

  /// Remove record {id} from DNS zone {zone}
  public static let dnsRecordRemove = OperationSpec(
    "dns.record-remove", .delete, "/dns/zone/{zone}/record/{id}", summary: "Remove record {id} from DNS zone {zone}",
    responses: [200: "Message", 400: "Message", 404: "Message"],
    notes: [dnsNote, "The aggregator's records are refused"])

  /// Every operation of this area.
  static let dnsOperations: [OperationSpec] = [
    dnsZoneList, dnsZoneAdd, dnsZoneInfo, dnsZoneRemove, dnsRecordList, dnsRecordAdd, dnsRecordAddMany,
    dnsRecordModify, dnsRecordRemove,
  ]
}
