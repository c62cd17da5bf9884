import Foundation
import Testing

@testable import PVCKit

/// Records written through PVCKit, answered by a real PowerDNS (gmysql) reading the real Galera.
@Suite("PowerDNS")
struct PowerDNSTests {
  /// `dig @127.0.0.1 -p port name type +short`.
  static func dig(_ port: Int, _ name: String, _ type: String, server: String = "127.0.0.1") throws -> [String] {
    let result = try TestServices.runTool(
      "/usr/bin/dig", ["@\(server)", "-p", String(port), name, type, "+short", "+time=2", "+tries=2"])
    return result.output.split(separator: "\n").map(String.init).filter { !$0.hasPrefix(";") }.sorted()
  }

  /// Waits until `dig` gives `expected` (PowerDNS reads the database for every query; this only covers startup).
  static func answers(
    _ port: Int, _ name: String, _ type: String, _ expected: [String], server: String = "127.0.0.1",
    within: Duration = .seconds(10)
  ) async throws -> Bool {
    let deadline = ContinuousClock.now + within
    while ContinuousClock.now < deadline {
      if try dig(port, name, type, server: server) == expected.sorted() { return true }
      try await Task.sleep(for: .milliseconds(100))
    }
    return false
  }

  @Test("a record written through PVCKit is answered at once; changed and removed ones too; AXFR works")
  func answers() async throws {
    try await DNSDatabaseTests.withDNS { dns, database in
      _ = try await dns.link.database()  // the schema
      let port = 25_300 + Int.random(in: 0..<400)
      let directory = NSTemporaryDirectory() + "pvckit-pdns-\(UUID().uuidString.prefix(8))"
      let server = PowerDNSServer(directory: directory)
      try await server.start(
        .init(
          member: database.settings.hosts[0], database: database.name, user: database.settings.user,
          password: database.settings.password, addresses: ["127.0.0.1"], port: port, transferNetworks: []))
      defer { try? FileManager.default.removeItem(atPath: directory) }
      do {
        #expect(server.isRunning)
        try await dns.addZone("answers.test", nameservers: ["ns1.answers.test"], contact: nil)
        _ = try await dns.addRecords(
          [
            .init(name: "www", type: .a, content: "10.20.0.1"), .init(name: "@", type: .mx, content: "mx.answers.test"),
            .init(name: "txt", type: .txt, content: "hello \"world\""),
            .init(name: "alias", type: .cname, content: "www.answers.test"),
          ], zone: "answers.test")
        #expect(try await Self.answers(port, "www.answers.test", "A", ["10.20.0.1"]))
        #expect(try Self.dig(port, "answers.test", "MX") == ["10 mx.answers.test."])
        #expect(try Self.dig(port, "txt.answers.test", "TXT") == [#""hello \"world\"""#])
        #expect(try Self.dig(port, "alias.answers.test", "A") == ["10.20.0.1", "www.answers.test."])
        // A change is answered at once: PowerDNS's caches are off.
        let www = try #require(try await dns.records(zone: "answers.test", name: "www", type: .a).first)
        _ = try await dns.modifyRecord(
          www.id, zone: "answers.test", to: .init(name: "www", type: .a, content: "10.20.0.2"))
        #expect(try Self.dig(port, "www.answers.test", "A") == ["10.20.0.2"])
        try await dns.removeRecord(www.id, zone: "answers.test")
        #expect(try Self.dig(port, "www.answers.test", "A") == [])
        let serial = try await dns.zone("answers.test").serial
        #expect(try Self.dig(port, "answers.test", "SOA").first?.contains(" \(serial) ") == true)
        // Other servers can take the zone by AXFR (from loopback here).
        let transfer = try TestServices.runTool(
          "/usr/bin/dig", ["@127.0.0.1", "-p", String(port), "answers.test", "AXFR", "+time=2", "+tries=1"])
        #expect(transfer.output.contains("mx.answers.test."), "\(transfer.output)")
      } catch {
        await server.stop()
        throw error
      }
      await server.stop()
      #expect(!server.isRunning)
    }
  }

  @Test("the database down: clear errors, nothing half written")
  func databaseDown() async throws {
    let dns = DirectDNSOperations(
      link: DNSLink(.init(hosts: ["127.0.0.1:9"], user: "pvc", password: "x", database: "pvcdns", timeout: 2)))
    do {
      _ = try await dns.zones(limit: nil)
      Issue.record("listed zones without a database")
    } catch let error as MariaDBError {
      #expect(error.kind == .unavailable)
      #expect(error.description.contains("127.0.0.1:9"))
    }
    let none = DirectDNSOperations(link: DNSLink(nil))
    await #expect(throws: DNSError.noDatabase) { try await none.zones(limit: nil) }
  }
}
