import Foundation

/// Zones and records in PowerDNS's gmysql tables: every change is one transaction that locks the zone's row,
/// checks the zone's other records, writes, and raises the SOA serial (Galera certifies the whole of it, so
/// concurrent changes to a zone from two members cannot both land; the loser is run again by the pool).
struct DNSDatabase: Sendable {
  let pool: MariaDBPool

  /// The SOA timers written with a new zone: refresh, retry, expire, negative TTL.
  static let soaTimers = "10800 3600 604800 300"
  /// Rows per multi-row INSERT.
  static let insertBatch = 500

  // MARK: Zones

  func zones() async throws -> [DNSZone] {
    try await pool.query(Self.zoneQuery + " ORDER BY d.name").compactMap(Self.zone)
  }

  func zone(_ name: String) async throws -> DNSZone {
    guard
      let zone = try await pool.query(Self.zoneQuery + " WHERE d.name = ?", [.text(name)]).compactMap(Self.zone).first
    else { throw DNSError.zoneNotFound(name) }
    return zone
  }

  private static let zoneQuery = """
    SELECT d.name, d.pvc_network, d.account,
      (SELECT content FROM records s WHERE s.domain_id = d.id AND s.type = 'SOA' LIMIT 1),
      (SELECT COUNT(*) FROM records c WHERE c.domain_id = d.id)
    FROM domains d
    """

  private static func zone(_ row: [String?]) -> DNSZone? {
    guard row.count == 5, let name = row[0] else { return nil }
    return DNSZone(
      name: name, source: row[2] == aggregatorAccount ? .aggregator : .user, network: row[1].flatMap { Int($0) },
      serial: row[3].flatMap(serial) ?? 0, records: row[4].flatMap { Int($0) } ?? 0)
  }

  /// `domains.account` of the aggregator's zones.
  static let aggregatorAccount = "pvc-aggregator"

  /// Creates a zone with its SOA and NS records.
  func addZone(
    _ name: String, nameservers: [String], contact: String, source: DNSSource = .user, network: Int? = nil
  ) async throws {
    guard !nameservers.isEmpty else { throw DNSError.invalid("a zone needs at least one name server") }
    try await pool.transaction { connection in
      let existing = try await connection.query("SELECT id FROM domains WHERE name = ?", [.text(name)])
      guard existing.isEmpty else { throw DNSError.zoneExists(name) }
      try await connection.execute(
        "INSERT INTO domains (name, type, account, pvc_network) VALUES (?, 'NATIVE', ?, ?)",
        [
          .text(name), source == .aggregator ? .text(Self.aggregatorAccount) : .null,
          network.map { .integer(Int64($0)) } ?? .null,
        ])
      let id = try await Self.lastID(connection)
      let sourceValue = SQLValue.text(source.rawValue)
      try await connection.execute(
        "INSERT INTO records (domain_id, name, type, content, ttl, prio, pvc_source) VALUES (?, ?, 'SOA', ?, ?, NULL, ?)",
        [
          .integer(id), .text(name), .text("\(nameservers[0]) \(contact) 1 \(Self.soaTimers)"),
          .integer(Int64(DNSRules.defaultTTL)), sourceValue,
        ])
      for server in nameservers {
        try await connection.execute(
          "INSERT INTO records (domain_id, name, type, content, ttl, prio, pvc_source) VALUES (?, ?, 'NS', ?, ?, NULL, ?)",
          [.integer(id), .text(name), .text(server), .integer(Int64(DNSRules.defaultTTL)), sourceValue])
      }
    }
  }

  /// Removes a zone and everything PowerDNS keeps for it.
  func removeZone(_ name: String, as source: DNSSource) async throws {
    try await pool.transaction { connection in
      let (id, zone) = try await Self.lockedZone(name, connection)
      if source == .user && zone.source == .aggregator { throw DNSError.readOnly("zone \(name)") }
      for table in ["records", "comments", "domainmetadata", "cryptokeys"] {
        try await connection.execute("DELETE FROM \(table) WHERE domain_id = ?", [.integer(id)])
      }
      try await connection.execute("DELETE FROM domains WHERE id = ?", [.integer(id)])
    }
  }

  // MARK: Records

  func records(zone: String, name: String?, type: DNSRecordType?) async throws -> [DNSRecord] {
    var sql = "SELECT r.id, r.name, r.type, r.content, r.ttl, r.prio, r.pvc_source FROM records r"
    sql += " JOIN domains d ON d.id = r.domain_id WHERE d.name = ?"
    var values: [SQLValue] = [.text(zone)]
    if let name {
      sql += " AND r.name = ?"
      values.append(.text(name))
    }
    if let type {
      sql += " AND r.type = ?"
      values.append(.text(type.rawValue))
    }
    let rows = try await pool.query(sql + " ORDER BY r.name, r.type, r.id", values)
    if rows.isEmpty { _ = try await self.zone(zone) }
    return rows.compactMap { Self.record($0, zone: zone) }
  }

  /// Adds checked records (``DNSRules/record(_:in:)``) in one transaction; returns them with their numbers.
  func add(_ records: [DNSRecord], zone: String, as source: DNSSource) async throws -> [DNSRecord] {
    guard !records.isEmpty else { return [] }
    return try await pool.transaction { connection in
      let (id, info) = try await Self.lockedZone(zone, connection)
      if source == .user && info.source == .aggregator && records.contains(where: { $0.name == zone }) {
        throw DNSError.readOnly("the apex of zone \(zone)")
      }
      let neighbours = try await Self.records(of: id, zone: zone, named: Set(records.map(\.name)), connection)
      var byName = Dictionary(grouping: neighbours, by: \.name)
      for record in records {
        try DNSRules.check(record, among: byName[record.name] ?? [])
        byName[record.name, default: []].append(record)
      }
      let first = try await Self.insert(records, domain: id, source: source, connection)
      try await Self.bumpSerial(id, connection)
      // The new rows' numbers: (name, type, content) is unique in a zone.
      let written = try await connection.query(
        "SELECT id, name, type, content, ttl, prio, pvc_source FROM records WHERE domain_id = ? AND id >= ?",
        [.integer(id), .integer(first)]
      ).compactMap { Self.record($0, zone: zone) }
      let numbers = Dictionary(
        written.map { ("\($0.name) \($0.type.rawValue) \($0.content)", $0.id) }, uniquingKeysWith: max)
      return records.map { record in
        var record = record
        record.source = source
        record.id = numbers["\(record.name) \(record.type.rawValue) \(record.content)"] ?? 0
        return record
      }
    }
  }

  /// Replaces a record's name, type, content, TTL and priority.
  func modify(_ id: Int, zone: String, to record: DNSRecord, as source: DNSSource) async throws -> DNSRecord {
    try await pool.transaction { connection in
      let (domain, _) = try await Self.lockedZone(zone, connection)
      let rows = try await connection.query(
        "SELECT id, name, type, content, ttl, prio, pvc_source FROM records WHERE domain_id = ? AND id = ?",
        [.integer(domain), .integer(Int64(id))])
      guard let old = rows.first.flatMap({ Self.record($0, zone: zone) }) else {
        throw DNSError.recordNotFound(zone: zone, id: id)
      }
      try Self.checkWritable(old, as: source)
      let all = try await Self.records(of: domain, zone: zone, named: [record.name], connection)
      var changed = record
      changed.id = id
      changed.source = old.source
      try DNSRules.check(changed, among: all.filter { $0.name == changed.name })
      try await connection.execute(
        "UPDATE records SET name = ?, type = ?, content = ?, ttl = ?, prio = ? WHERE id = ?",
        [
          .text(changed.name), .text(changed.type.rawValue), .text(changed.content), .integer(Int64(changed.ttl)),
          changed.priority.map { .integer(Int64($0)) } ?? .null, .integer(Int64(id)),
        ])
      try await Self.bumpSerial(domain, connection)
      return changed
    }
  }

  /// Removes records by number.
  func remove(_ ids: [Int], zone: String, as source: DNSSource) async throws {
    guard !ids.isEmpty else { return }
    try await pool.transaction { connection in
      let (domain, _) = try await Self.lockedZone(zone, connection)
      let all = try await Self.records(of: domain, zone: zone, connection)
      let byID = Dictionary(all.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
      for id in ids {
        guard let record = byID[id] else { throw DNSError.recordNotFound(zone: zone, id: id) }
        try Self.checkWritable(record, as: source)
        if record.type == .ns && record.name == zone
          && all.filter({ $0.type == .ns && $0.name == zone && !ids.contains($0.id) }).isEmpty
        {
          throw DNSError.conflict("zone \(zone) needs at least one NS record at its apex")
        }
      }
      for chunk in stride(from: 0, to: ids.count, by: Self.insertBatch) {
        let part = ids[chunk..<min(ids.count, chunk + Self.insertBatch)]
        let marks = Array(repeating: "?", count: part.count).joined(separator: ", ")
        try await connection.execute(
          "DELETE FROM records WHERE domain_id = ? AND id IN (\(marks))",
          [.integer(domain)] + part.map { .integer(Int64($0)) })
      }
      try await Self.bumpSerial(domain, connection)
    }
  }

  private static func checkWritable(_ record: DNSRecord, as source: DNSSource) throws {
    if record.type == .soa { throw DNSError.invalid("the SOA record is kept by PVC") }
    if source == .user && record.source == .aggregator {
      throw DNSError.readOnly("record \(record.id) (\(record.name) \(record.type.rawValue))")
    }
  }

  // MARK: Aggregator

  /// Makes the aggregator's records of a zone exactly `desired` (creating the zone if needed), in one
  /// transaction; users' records are left alone, and a desired record a user's record would clash with is
  /// skipped and named in the result. Returns how many rows changed and the skipped names.
  func synchronize(
    zone: String, network: Int, nameservers: [String], contact: String, desired: [DNSRecord]
  ) async throws -> (changes: Int, skipped: [String]) {
    if try await pool.query("SELECT id FROM domains WHERE name = ?", [.text(zone)]).isEmpty {
      do {
        try await addZone(zone, nameservers: nameservers, contact: contact, source: .aggregator, network: network)
      } catch DNSError.zoneExists {}
    }
    return try await pool.transaction { connection in
      let (domain, _) = try await Self.lockedZone(zone, connection)
      let all = try await Self.records(of: domain, zone: zone, connection)
      let mine = all.filter { $0.source == .aggregator && $0.type != .soa && !($0.type == .ns && $0.name == zone) }
      let users = Dictionary(grouping: all.filter { $0.source == .user }, by: \.name)
      func key(_ record: DNSRecord) -> String {
        "\(record.name) \(record.type.rawValue) \(record.content) \(record.ttl)"
      }
      let wanted = Set(desired.map(key))
      let have = Set(mine.map(key))
      let stale = mine.filter { !wanted.contains(key($0)) }.map(\.id)
      var skipped: [String] = []
      var fresh: [DNSRecord] = []
      for record in desired where !have.contains(key(record)) {
        do {
          try DNSRules.check(record, among: users[record.name] ?? [])
          fresh.append(record)
        } catch {
          skipped.append(record.name)
        }
      }
      guard !stale.isEmpty || !fresh.isEmpty else { return (0, skipped) }
      for chunk in stride(from: 0, to: stale.count, by: Self.insertBatch) {
        let part = stale[chunk..<min(stale.count, chunk + Self.insertBatch)]
        let marks = Array(repeating: "?", count: part.count).joined(separator: ", ")
        try await connection.execute(
          "DELETE FROM records WHERE domain_id = ? AND id IN (\(marks))",
          [.integer(domain)] + part.map { .integer(Int64($0)) })
      }
      _ = try await Self.insert(fresh, domain: domain, source: .aggregator, connection)
      try await Self.bumpSerial(domain, connection)
      return (stale.count + fresh.count, skipped)
    }
  }

  // MARK: Pieces of a transaction

  /// The zone's number and summary, its row locked until the transaction ends.
  private static func lockedZone(_ name: String, _ connection: MariaDBConnection) async throws -> (Int64, DNSZone) {
    let rows = try await connection.query(
      "SELECT id, pvc_network, account FROM domains WHERE name = ? FOR UPDATE", [.text(name)])
    guard let row = rows.first, row.count == 3, let id = row[0].flatMap({ Int64($0) }) else {
      throw DNSError.zoneNotFound(name)
    }
    return (
      id,
      DNSZone(
        name: name, source: row[2] == aggregatorAccount ? .aggregator : .user, network: row[1].flatMap { Int($0) },
        serial: 0, records: 0)
    )
  }

  private static func records(of domain: Int64, zone: String, _ connection: MariaDBConnection) async throws
    -> [DNSRecord]
  {
    try await connection.query(
      "SELECT id, name, type, content, ttl, prio, pvc_source FROM records WHERE domain_id = ?", [.integer(domain)]
    ).compactMap { record($0, zone: zone) }
  }

  /// A zone's records of some names only (what a change must be checked against), read in chunks.
  private static func records(
    of domain: Int64, zone: String, named names: Set<String>, _ connection: MariaDBConnection
  ) async throws -> [DNSRecord] {
    let list = names.sorted()
    var found: [DNSRecord] = []
    for chunk in stride(from: 0, to: list.count, by: insertBatch) {
      let part = list[chunk..<min(list.count, chunk + insertBatch)]
      let marks = Array(repeating: "?", count: part.count).joined(separator: ", ")
      found += try await connection.query(
        "SELECT id, name, type, content, ttl, prio, pvc_source FROM records WHERE domain_id = ? AND name IN (\(marks))",
        [.integer(domain)] + part.map { .text($0) }
      ).compactMap { record($0, zone: zone) }
    }
    return found
  }

  /// Inserts rows in batches; returns the first new row's number.
  private static func insert(
    _ records: [DNSRecord], domain: Int64, source: DNSSource, _ connection: MariaDBConnection
  ) async throws -> Int64 {
    var first: Int64?
    for start in stride(from: 0, to: records.count, by: insertBatch) {
      let part = records[start..<min(records.count, start + insertBatch)]
      let rows = Array(repeating: "(?, ?, ?, ?, ?, ?, ?)", count: part.count).joined(separator: ", ")
      var values: [SQLValue] = []
      values.reserveCapacity(part.count * 7)
      for record in part {
        values += [
          .integer(domain), .text(record.name), .text(record.type.rawValue), .text(record.content),
          .integer(Int64(record.ttl)), record.priority.map { .integer(Int64($0)) } ?? .null, .text(source.rawValue),
        ]
      }
      try await connection.execute(
        "INSERT INTO records (domain_id, name, type, content, ttl, prio, pvc_source) VALUES \(rows)", values)
      if first == nil { first = try await lastID(connection) }
    }
    return first ?? 0
  }

  /// Raises the zone's SOA serial by one (PowerDNS and secondaries see the change).
  private static func bumpSerial(_ domain: Int64, _ connection: MariaDBConnection) async throws {
    let rows = try await connection.query(
      "SELECT id, content FROM records WHERE domain_id = ? AND type = 'SOA' LIMIT 1 FOR UPDATE", [.integer(domain)])
    guard let row = rows.first, row.count == 2, let id = row[0], let content = row[1] else { return }
    var fields = content.split(separator: " ").map(String.init)
    guard fields.count >= 3, let serial = UInt32(fields[2]) else { return }
    // RFC 1982: the serial wraps around within 32 bits.
    fields[2] = String(serial == UInt32.max ? 1 : serial + 1)
    try await connection.execute(
      "UPDATE records SET content = ? WHERE id = ?", [.text(fields.joined(separator: " ")), .text(id)])
  }

  private static func lastID(_ connection: MariaDBConnection) async throws -> Int64 {
    guard let value = try await connection.query("SELECT LAST_INSERT_ID()").first?.first,
      let id = value.flatMap({ Int64($0) })
    else { throw MariaDBError(operation: "read the new row's number", code: 0, message: "no number was returned") }
    return id
  }

  // MARK: Rows

  static func record(_ row: [String?], zone: String) -> DNSRecord? {
    guard row.count == 7, let id = row[0].flatMap({ Int($0) }), let name = row[1],
      let type = row[2].flatMap(DNSRecordType.init(rawValue:)), let content = row[3]
    else { return nil }
    return DNSRecord(
      id: id, zone: zone, name: name, type: type, content: content, ttl: row[4].flatMap { Int($0) } ?? 0,
      priority: row[5].flatMap { Int($0) }, source: row[6].flatMap(DNSSource.init(rawValue:)) ?? .user)
  }

  static func serial(_ soa: String) -> Int? {
    let fields = soa.split(separator: " ")
    return fields.count >= 3 ? Int(fields[2]) : nil
  }
}
