import Foundation

@testable import PVCKit

/// A database of its own on the test Galera (`pvcdns_<random>`), so that tests (and their aggregators) do not
/// see each other's zones; dropped by ``drop()``.
struct DNSTestDatabase {
  let name: String
  let settings: MariaDBConnection.Settings

  static func make() async throws -> DNSTestDatabase {
    let name = "pvcdns_\(UUID().uuidString.prefix(8).lowercased())"
    let admin = MariaDBConnectionTests.settings
    let connection = try await MariaDBConnection.connect(admin)
    try await connection.execute("CREATE DATABASE \(name) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin")
    await connection.close()
    var settings = admin
    settings.database = name
    return DNSTestDatabase(name: name, settings: settings)
  }

  func drop() async {
    guard let connection = try? await MariaDBConnection.connect(MariaDBConnectionTests.settings) else { return }
    _ = try? await connection.execute("DROP DATABASE IF EXISTS \(name)")
    await connection.close()
  }
}
