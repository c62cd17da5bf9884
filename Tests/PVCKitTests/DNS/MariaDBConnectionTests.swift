import Foundation
import Testing

@testable import PVCKit

/// PVCKit's MariaDB client against the real Galera of `make test`.
@Suite("MariaDB connection")
struct MariaDBConnectionTests {
  static var settings: MariaDBConnection.Settings {
    MariaDBConnection.Settings(
      hosts: GaleraServiceTests.hosts, user: "pvc", password: GaleraServiceTests.password, database: "pvcdns")
  }

  @Test("values are bound, never pasted: hostile text, NULL and numbers go in and come back as they were")
  func boundValues() async throws {
    let connection = try await MariaDBConnection.connect(Self.settings)
    let table = "m_\(UUID().uuidString.prefix(8).lowercased())"
    try await connection.execute("CREATE TABLE \(table) (id BIGINT PRIMARY KEY, name VARCHAR(200), note TEXT)")
    let hostile = "x'); DROP TABLE \(table); -- \u{00e9}\u{1F600}"
    #expect(
      try await connection.execute("INSERT INTO \(table) VALUES (?, ?, ?)", [.integer(1), .text(hostile), .null]) == 1)
    #expect(
      try await connection.execute("INSERT INTO \(table) VALUES (?, ?, ?)", [.integer(2), .text(""), .text("b")]) == 1)
    let rows = try await connection.query(
      "SELECT id, name, note FROM \(table) WHERE id >= ? ORDER BY id", [.integer(1)])
    #expect(rows.count == 2)
    #expect(rows.first == ["1", hostile, nil])
    #expect(rows.last == ["2", "", "b"])
    // A duplicate is refused with MariaDB's code.
    await #expect(throws: MariaDBError.self) {
      try await connection.execute("INSERT INTO \(table) VALUES (?, ?, ?)", [.integer(1), .text("again"), .null])
    }
    // Placeholders and values must agree.
    await #expect(throws: MariaDBError.self) { try await connection.query("SELECT ?", []) }
    try await connection.execute("DROP TABLE \(table)")
    await connection.close()
  }

  @Test("a member that does not answer is skipped for the next")
  func failover() async throws {
    var settings = Self.settings
    settings.hosts = ["127.0.0.1:9"] + settings.hosts
    settings.timeout = 2
    let connection = try await MariaDBConnection.connect(settings)
    #expect(connection.host == GaleraServiceTests.hosts.first)
    #expect(try await connection.query("SELECT 1 + ?", [.integer(41)]) == [["42"]])
    await connection.close()
    settings.hosts = ["127.0.0.1:9"]
    await #expect(throws: MariaDBError.self) { _ = try await MariaDBConnection.connect(settings) }
  }
}

extension MariaDBConnectionTests {
  @Test("every connection reads causally: wsrep_sync_wait is set, so a change made through another member is seen")
  func causalReads() async throws {
    for host in GaleraServiceTests.hosts {
      var settings = Self.settings
      settings.hosts = [host]
      let connection = try await MariaDBConnection.connect(settings)
      let value = try await connection.query("SELECT @@SESSION.wsrep_sync_wait")
      #expect(value == [["1"]], "\(host): \(value)")
      await connection.close()
    }
  }
}
