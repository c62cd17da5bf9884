import Foundation
import PVCKit
import PVCKitAPI

#if canImport(FoundationNetworking)
  import FoundationNetworking
#endif

/// DNS records in MariaDB Galera through PVCKit, answered by a real PowerDNS (gmysql, caches off), against the
/// same work done with plain SQL on the same database in the same run: a record written until PowerDNS answers
/// it, `records` records added in one call against one by one, and a zone of `records` records listed through
/// the HTTP API and in process against one direct query.
struct DNSBenchmark {
  var hosts: String
  var galera: MariaDBConnection.Settings
  var records: Int
  var rounds: Int
  /// How many records each write figure writes (its median is reported).
  var writes = 50
  var dnsPort = 25_853
  var apiPort = 27_853

  func run() async throws -> Report {
    var report = Report(
      title: "DNS: MariaDB Galera (3 members) and PowerDNS, \(records) records, medians; lower is better")
    let tag = "bench-dns-\(UUID().uuidString.prefix(8).lowercased())"
    let name = "pvcdns_" + tag.dropFirst("bench-dns-".count)
    let admin = try await MariaDBConnection.connect(galera)
    try await admin.execute("CREATE DATABASE \(name) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin")
    var settings = galera
    settings.database = name
    let zookeeper = try await ZooKeeper.connect(to: hosts)
    try await zookeeper.create("/\(tag)", "")
    let cluster = try await PVCCluster.connect(.zookeeper(hosts: "\(hosts)/\(tag)"), database: settings)
    try await cluster.initialize()
    try await cluster.dns.addZone("bench.test", nameservers: ["ns1.bench.test"], contact: nil)
    var member = settings
    member.hosts = [settings.hosts[0]]
    let sql = try await MariaDBConnection.connect(member)
    let directory = NSTemporaryDirectory() + tag
    let powerDNS = PowerDNSServer(directory: directory)
    try await powerDNS.start(
      .init(
        member: settings.hosts[0], database: name, user: settings.user, password: settings.password,
        addresses: ["127.0.0.1"], port: dnsPort, transferNetworks: []))
    let probe = DNSProbe(address: "127.0.0.1", port: dnsPort)
    do {
      try await measureWrites(cluster, sql: sql, probe: probe, into: &report)
      try await measureBulk(cluster, into: &report)
      try await measureListing(cluster, sql: sql, into: &report)
    } catch {
      await powerDNS.stop()
      throw error
    }
    await powerDNS.stop()
    try? FileManager.default.removeItem(atPath: directory)
    await sql.close()
    await cluster.close()
    try await zookeeper.deleteRecursively("/\(tag)")
    await zookeeper.close()
    try await admin.execute("DROP DATABASE \(name)")
    await admin.close()
    report.notes.append(
      "Lower is better. PowerDNS reads the database for every query (caches off), so a record is answered as soon as "
        + "its transaction commits; PVCKit's write also checks the zone and raises its SOA serial.")
    return report
  }

  /// 1. A record written, until PowerDNS answers it: PVCKit against a bare INSERT.
  private func measureWrites(
    _ cluster: PVCCluster, sql: MariaDBConnection, probe: DNSProbe, into report: inout Report
  ) async throws {
    guard
      let cell = try await sql.query("SELECT id FROM domains WHERE name = 'bench.test'").first?.first,
      let domain = cell.flatMap({ Int64($0) })
    else { throw BenchmarkError("zone bench.test has no row") }
    var pvckit: [Double] = []
    var direct: [Double] = []
    for index in 0..<writes {
      let address = "10.1.\(index / 256).\(index % 256)"
      var start = ContinuousClock.now
      try await cluster.dns.addRecord(.init(name: "p\(index)", type: .a, content: address), zone: "bench.test")
      guard let answered = try probe.secondsUntilAnswered("p\(index).bench.test", since: start) else {
        throw BenchmarkError("PowerDNS never answered p\(index).bench.test")
      }
      pvckit.append(answered)
      start = ContinuousClock.now
      try await sql.execute(
        "INSERT INTO records (domain_id, name, type, content, ttl, auth) VALUES (?, ?, 'A', ?, 300, 1)",
        [.integer(domain), .text("s\(index).bench.test"), .text(address)])
      guard let plain = try probe.secondsUntilAnswered("s\(index).bench.test", since: start) else {
        throw BenchmarkError("PowerDNS never answered s\(index).bench.test")
      }
      direct.append(plain)
    }
    report.add(
      "a record written → answered by PowerDNS: cluster.dns.addRecord", milliseconds(pvckit),
      against: "SQL INSERT (autocommit) → answered", milliseconds(direct), unit: "ms", better: .lower)
  }

  /// 2. `records` records in one call, against one by one.
  private func measureBulk(_ cluster: PVCCluster, into report: inout Report) async throws {
    try await cluster.dns.addZone("one.test", nameservers: ["ns1.one.test"], contact: nil)
    try await cluster.dns.addZone("many.test", nameservers: ["ns1.many.test"], contact: nil)
    let requests = (0..<records).map {
      DNSRecordRequest(name: "h\($0)", type: .a, content: "10.2.\($0 / 256 % 256).\($0 % 256)")
    }
    let batch = try await timed { _ = try await cluster.dns.addRecords(requests, zone: "many.test") }
    let single = try await timed {
      for request in requests { _ = try await cluster.dns.addRecord(request, zone: "one.test") }
    }
    report.add(
      "\(records) records added in one call", batch, against: "the same added one by one", single, unit: "s",
      better: .lower)
  }

  /// 3. The zone of `records` records listed: through the API and in process, against one direct query.
  private func measureListing(_ cluster: PVCCluster, sql: MariaDBConnection, into report: inout Report) async throws {
    let token = "bench-dns-token-0123"
    let server = try await APIServer(
      cluster: cluster, settings: .init(address: "127.0.0.1", port: apiPort, tokens: [token])
    ).start()
    let session = URLSession(configuration: .ephemeral)
    var request = URLRequest(url: URL(string: "http://127.0.0.1:\(apiPort)/api/v1/dns/zone/many.test/record")!)
    request.setValue(token, forHTTPHeaderField: "X-Api-Key")
    var api: [Double] = []
    var library: [Double] = []
    var direct: [Double] = []
    for round in 0..<(rounds + 2) {
      let viaAPI = try await timed {
        let (data, response) = try await session.data(for: request)
        guard (response as? HTTPURLResponse)?.statusCode == 200, data.count > records * 50 else {
          throw BenchmarkError("GET /dns/zone/many.test/record failed")
        }
      }
      let inProcess = try await timed {
        let listed = try await cluster.dns.records(zone: "many.test", name: nil, type: nil)
        guard listed.count >= records else { throw BenchmarkError("the zone lists \(listed.count) records") }
      }
      let query = try await timed {
        let rows = try await sql.query(
          "SELECT r.id, r.name, r.type, r.content, r.ttl, r.prio FROM records r JOIN domains d ON d.id = r.domain_id "
            + "WHERE d.name = ? ORDER BY r.name, r.type, r.id", [.text("many.test")])
        guard rows.count >= records else { throw BenchmarkError("the query found \(rows.count) rows") }
      }
      guard round >= 2 else { continue }  // warm-up
      api.append(viaAPI)
      library.append(inProcess)
      direct.append(query)
    }
    report.add(
      "list a zone of \(records + 2) records: GET /api/v1/dns/zone/{zone}/record", milliseconds(api),
      against: "one SQL query (rows as text)", milliseconds(direct), unit: "ms", better: .lower)
    report.add(
      "list a zone of \(records + 2) records: cluster.dns.records in process", milliseconds(library),
      against: "one SQL query (rows as text)", milliseconds(direct), unit: "ms", better: .lower)
    session.invalidateAndCancel()
    await server.stop()
  }
}
