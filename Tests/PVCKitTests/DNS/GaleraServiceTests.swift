import Foundation
import PVCKitFixtures
import Testing

/// The 3-node MariaDB Galera `make test` starts (`Scripts/galera.sh`) for the
/// DNS records: reachable from the simulated nodes, replicating synchronously.
@Suite("Galera service")
struct GaleraServiceTests {
  static var hosts: [String] {
    (ProcessInfo.processInfo.environment["PVCKIT_GALERA_HOSTS"] ?? "").split(separator: ",").map(String.init)
  }
  static var password: String { ProcessInfo.processInfo.environment["PVCKIT_GALERA_PASSWORD"] ?? "" }

  /// `mariadb` against one node (from a simulated node's namespace when `node` is given).
  static func sql(_ host: String, _ statement: String, on node: String? = nil) throws -> (status: Int32, output: String)
  {
    let parts = host.split(separator: ":")
    let command = [
      "/usr/bin/mariadb", "--no-defaults", "-h", String(parts[0]), "-P", String(parts[1]), "-upvc", "-p\(password)",
      "pvcdns", "-N", "-e", statement,
    ]
    if let node { return try SimulatedNodes.inside(node, command) }
    return try TestServices.runTool(command[0], Array(command.dropFirst()))
  }

  @Test("three synced members; a row written on one from a node's namespace is read on the others")
  func replication() throws {
    let hosts = Self.hosts
    try #require(hosts.count == 3, "PVCKIT_GALERA_HOSTS: \(hosts)")
    for host in hosts {
      let state = try Self.sql(host, "SHOW STATUS LIKE 'wsrep_local_state_comment'")
      #expect(state.output.contains("Synced"), "\(host): \(state.output)")
    }
    #expect(try Self.sql(hosts[0], "SHOW STATUS LIKE 'wsrep_cluster_size'").output.contains("3"))
    let table = "t_\(UUID().uuidString.prefix(8).lowercased())"
    let written = try Self.sql(
      hosts[1], "CREATE TABLE \(table) (id INT PRIMARY KEY, name VARCHAR(32)); INSERT INTO \(table) VALUES (1, 'hv1')",
      on: "hv1")
    #expect(written.status == 0, "\(written.output)")
    for host in [hosts[0], hosts[2]] {
      #expect(try Self.sql(host, "SELECT name FROM \(table) WHERE id = 1").output.contains("hv1"), "\(host)")
    }
    _ = try Self.sql(hosts[2], "DROP TABLE \(table)")
  }
}
