import Foundation
import Logging

/// The primary's DNS service: the DNS database's schema brought up to date, PowerDNS answering on the
/// floating addresses from one synced Galera member (moved to another member when that one leaves the
/// cluster or stops answering), and the aggregator keeping the managed networks' zones in step. Stopped (and
/// PowerDNS with it) when the node stops being primary.
struct DNSDuty: Sendable {
  /// Everything the duty needs from pvc.conf.
  struct Settings: Sendable {
    var database: MariaDBConnection.Settings
    /// The addresses PowerDNS answers on (the floating addresses).
    var addresses: [String]
    var port: Int
    var transferNetworks: [String]
    /// `<dynamic directory>/pdns`.
    var directory: String
  }

  let zookeeper: ZooKeeper
  let settings: Settings
  let logger: Logger
  /// Time between aggregator passes.
  var interval: Duration = .seconds(1)
  /// Passes between checks of PowerDNS's member.
  var memberCheckEvery = 5

  func duty() -> LoopDuty {
    LoopDuty(name: "dns aggregator") { await run() }
  }

  func run() async {
    let link = DNSLink(settings.database)
    let server = PowerDNSServer(directory: settings.directory)
    let aggregator = DNSAggregator(zookeeper: zookeeper, logger: logger)
    let reported = FailureLog()
    var member: MariaDBConnection?
    var pass = 0
    while !Task.isCancelled {
      pass += 1
      do {
        let database = try await link.database()
        if let watched = member, pass % memberCheckEvery == 0, !(await Self.isSynced(watched)) {
          logger.warning("dns: Galera member \(watched.host) left the cluster: PowerDNS moves to another")
          await watched.close()
          member = nil
        }
        if member == nil || !server.isRunning {
          await member?.close()
          let chosen = try await MariaDBConnection.connect(settings.database)
          member = chosen
          try await server.start(
            .init(
              member: chosen.host, database: settings.database.database, user: settings.database.user,
              password: settings.database.password, addresses: settings.addresses, port: settings.port,
              transferNetworks: settings.transferNetworks))
          logger.info(
            "dns: PowerDNS answers on \(settings.addresses.joined(separator: ", ")) port \(settings.port), from \(chosen.host)"
          )
        }
        try await aggregator.pass(database)
        reported.forget("pass")
      } catch {
        if reported.isNew("pass") { logger.warning("dns: \(error)") }
        await aggregator.reset()
      }
      try? await Task.sleep(for: interval)
    }
    await server.stop()
    await member?.close()
    await link.close()
  }

  /// Whether the member still answers and is a synced Galera member.
  static func isSynced(_ connection: MariaDBConnection) async -> Bool {
    guard let rows = try? await connection.query("SHOW STATUS LIKE 'wsrep_local_state_comment'") else { return false }
    guard let row = rows.first, row.count == 2 else { return true }  // not Galera: a plain server
    return row[1] == "Synced"
  }
}
