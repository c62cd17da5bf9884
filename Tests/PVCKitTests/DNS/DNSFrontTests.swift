import Foundation
import PVCKit
import Testing

@testable import PVCKitAPI

/// The DNS routes (a PVCKit extension) and `pvc dns` against the real Galera: the same checks as the direct
/// API, hostile input refused with nothing written, and the database down answered with a clear error.
@Suite("DNS API and CLI")
struct DNSFrontTests {
  /// A database that does not answer (nothing listens on the discard port).
  static let deadDatabase = MariaDBConnection.Settings(
    hosts: ["127.0.0.1:9"], user: "pvc", password: "x", database: "pvcdns", timeout: 2)

  @Test("zones and records through the API: add, list, change, remove; hostile input refused, nothing written")
  func api() async throws {
    let database = try await DNSTestDatabase.make()
    defer { Task { await database.drop() } }
    try await APITestHarness.with(database: database.settings) { api in
      #expect(
        try await api.call(.post, "/dns/zone", [("zone", "api.test"), ("nameserver", "ns1.api.test")]).status == 200)
      let zones = try await api.call(.get, "/dns/zone")
      #expect((zones.json as? [[String: Any]])?.first?["name"] as? String == "api.test", "\(zones.text)")
      let added = try await api.call(
        .post, "/dns/zone/api.test/record", [("name", "www"), ("type", "A"), ("content", "10.9.0.1"), ("ttl", "120")])
      #expect(added.status == 200, "\(added.text)")
      let record = try #require(added.json as? [String: Any])
      #expect(record["name"] as? String == "www.api.test" && record["ttl"] as? Int == 120)
      let id = try #require(record["id"] as? Int)
      let many =
        #"[{"name":"a","type":"A","content":"10.9.0.2"},{"name":"@","type":"MX","content":"mx.api.test","priority":5}]"#
      let batch = try await api.call(.post, "/dns/zone/api.test/records", [("records", many)], form: true)
      #expect((batch.json as? [Any])?.count == 2, "\(batch.text)")
      let changed = try await api.call(
        .put, "/dns/zone/api.test/record/\(id)", [("name", "www"), ("type", "A"), ("content", "10.9.0.3")])
      #expect((changed.json as? [String: Any])?["content"] as? String == "10.9.0.3", "\(changed.text)")
      let before = try await api.call(.get, "/dns/zone/api.test/record").text
      let serial = try await api.cluster.dns.zone("api.test").serial
      // Hostile or broken input: refused with the reason, and nothing changes.
      let hostile: [[(String, String)]] = [
        [("name", "x'); DROP TABLE records; --"), ("type", "A"), ("content", "10.9.0.9")],
        [("name", String(repeating: "l", count: 64)), ("type", "A"), ("content", "10.9.0.9")],
        [("name", "@"), ("type", "CNAME"), ("content", "other.test")],
        [("name", "bad"), ("type", "A"), ("content", "10.9.0.256")],
        [("name", "bad"), ("type", "AAAA"), ("content", "fe80::g")],
        [("name", "bad"), ("type", "SOA"), ("content", "a b 1 2 3 4 5")],
        [("name", "bad"), ("type", "A"), ("content", "10.9.0.9"), ("ttl", "-1")],
      ]
      for parameters in hostile {
        let answer = try await api.call(.post, "/dns/zone/api.test/record", parameters)
        #expect(answer.status == 400 || answer.status == 409, "\(parameters): \(answer.status) \(answer.text)")
        #expect(answer.text.contains("message"), "\(answer.text)")
      }
      let broken = try await api.call(.post, "/dns/zone/api.test/records", [("records", "[{\"name\":")], form: true)
      #expect(broken.status == 400)
      let halfBad = #"[{"name":"ok","type":"A","content":"10.9.0.8"},{"name":"ok","type":"CNAME","content":"x.test"}]"#
      #expect(try await api.call(.post, "/dns/zone/api.test/records", [("records", halfBad)], form: true).status != 200)
      #expect(try await api.call(.get, "/dns/zone/api.test/record").text == before)
      #expect(try await api.cluster.dns.zone("api.test").serial == serial)
      #expect(
        try await api.call(
          .put, "/dns/zone/api.test/record/x1", [("name", "a"), ("type", "A"), ("content", "10.9.0.1")]
        ).status == 400)
      #expect(try await api.call(.delete, "/dns/zone/api.test/record/999999").status == 404)
      #expect(try await api.call(.get, "/dns/zone/none.test").status == 404)
      #expect(try await api.call(.get, "/dns/zone", key: nil).status == 401)
      // Removal.
      #expect(try await api.call(.delete, "/dns/zone/api.test/record/\(id)").status == 200)
      #expect(try await api.call(.get, "/dns/zone/api.test/record", [("name", "www")]).text == "[]")
      #expect(try await api.call(.delete, "/dns/zone/api.test").status == 200)
      #expect(try await api.call(.get, "/dns/zone/api.test").status == 404)
    }
  }

  @Test("the database down: the API answers 503 with the reason; with none configured it says how to configure it")
  func apiDatabaseDown() async throws {
    try await APITestHarness.with(database: Self.deadDatabase) { api in
      let answer = try await api.call(.get, "/dns/zone")
      #expect(answer.status == 503, "\(answer.text)")
      #expect(answer.text.contains("127.0.0.1:9"), "\(answer.text)")
      let add = try await api.call(.post, "/dns/zone", [("zone", "down.test"), ("nameserver", "ns1.down.test")])
      #expect(add.status == 503)
    }
    try await APITestHarness.with { api in
      let answer = try await api.call(.get, "/dns/zone")
      #expect(answer.status == 503 && answer.text.contains("database.mariadb"), "\(answer.text)")
    }
  }

  @Test("pvc dns through the API: zones and records, hostile input refused, the database down a clear error")
  func cli() async throws {
    let database = try await DNSTestDatabase.make()
    defer { Task { await database.drop() } }
    try await PVCTransportTests.withConnections(port: 22815, database: database.settings) { pvc, _ in
      let zone = try await pvc(["-c", "api", "dns", "zone", "add", "cli.test", "--nameserver", "ns1.cli.test"])
      #expect(zone.status == 0, "\(zone.stderr)")
      let add = try await pvc(["-c", "api", "dns", "record", "add", "cli.test", "www", "A", "10.8.0.1"])
      #expect(add.status == 0, "\(add.stderr)")
      let list = try await pvc(["-c", "api", "dns", "record", "list", "cli.test", "-f", "json"])
      let records = try JSONDecoder().decode([DNSRecord].self, from: Data(list.stdout.utf8))
      #expect(records.contains { $0.name == "www.cli.test" && $0.content == "10.8.0.1" })
      let pretty = try await pvc(["-c", "api", "dns", "zone", "list"])
      #expect(pretty.stdout.contains("cli.test"))
      let hostile = try await pvc(["-c", "api", "dns", "record", "add", "cli.test", "x';--", "A", "10.8.0.2"])
      #expect(hostile.status == ErrorKind.invalid.exitCode, "\(hostile.status) \(hostile.stderr)")
      let www = try #require(records.first { $0.name == "www.cli.test" })
      let remove = try await pvc(["-c", "api", "dns", "record", "remove", "cli.test", String(www.id), "--yes"])
      #expect(remove.status == 0, "\(remove.stderr)")
      // A direct connection without a database says what to configure.
      let direct = try await pvc(["-c", "zk", "dns", "zone", "list"])
      #expect(direct.status == ErrorKind.unavailable.exitCode && direct.stderr.contains("database.mariadb"))
    }
    try await PVCTransportTests.withConnections(port: 22815, database: Self.deadDatabase) { pvc, _ in
      let down = try await pvc(["-c", "api", "dns", "zone", "list"])
      #expect(down.status == ErrorKind.unavailable.exitCode, "\(down.status) \(down.stderr)")
      #expect(down.stderr.contains("127.0.0.1:9"), "\(down.stderr)")
    }
  }
}
