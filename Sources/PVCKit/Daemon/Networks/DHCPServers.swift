import Foundation
import Logging

/// The primary's DHCP and DNS servers: one dnsmasq per managed network that
/// has DHCPv4 or IPv6 (router advertisements), bound to the network's gateway
/// addresses on `vmbr<vni>` (see ``DnsmasqPlan`` for its arguments).
///
/// - Reservations become `--dhcp-hostsdir` files (dnsmasq reads new and changed
///   files by itself; it is sent SIGHUP when one is removed).
/// - Leases: dnsmasq keeps them in its lease file; ``syncLeases()`` copies every
///   change into `/networks/<vni>/dhcp4_leases` (upstream's layout), and a
///   server started on a new primary begins with the cluster's leases written
///   into its lease file, so a guest renewing after a handover keeps its address.
///   (Upstream has dnsmasq run a script per lease event that talks to ZooKeeper;
///   here the one writer is pvcd, which also survives ZooKeeper being away: the
///   file is the record until the next sync.)
/// - A server is restarted when its arguments change, and started again when it died.
actor DHCPServers {
  let zookeeper: ZooKeeper
  /// Where each network's files go (`<directory>/<vni>/`).
  let directory: String
  let logger: Logger
  let dnsmasq = Command("/usr/sbin/dnsmasq", "/usr/bin/dnsmasq")
  private let reported = FailureLog()
  /// The arguments each running server was started with.
  private var running: [Int: [String]] = [:]
  /// The leases last written to ZooKeeper, per network.
  private var synced: [Int: Set<DnsmasqPlan.Lease>] = [:]

  init(zookeeper: ZooKeeper, directory: String, logger: Logger) {
    self.zookeeper = zookeeper
    self.directory = directory
    self.logger = logger
  }

  func paths(_ vni: Int) -> DnsmasqPlan.Paths { .init(directory: "\(directory)/\(vni)") }

  func daemon(_ vni: Int) -> PidFileDaemon { paths(vni).daemon }

  /// Makes the running servers match `networks` (gateway addresses must be in place).
  func reconcile(_ networks: [NetworkInfo]) async {
    var wanted: Set<Int> = []
    for network in networks where DnsmasqPlan.serves(network) {
      wanted.insert(network.vni)
      let paths = paths(network.vni)
      guard let arguments = DnsmasqPlan.arguments(for: network, paths: paths) else {
        if reported.isNew("arguments \(network.vni)") {
          logger.warning("dhcp: network \(network.vni)'s values do not make a DHCP server (left out)")
        }
        await stop(network.vni)
        continue
      }
      reported.forget("arguments \(network.vni)")
      do {
        let removed = try await writeHostFiles(network, paths: paths)
        if running[network.vni] == arguments, daemon(network.vni).pid != nil {
          if removed { daemon(network.vni).signal(SIGHUP) }
          continue
        }
        await stop(network.vni)
        try await writeLeaseFile(network.vni, paths: paths)
        let outcome = try await dnsmasq.run(arguments, timeout: .seconds(10))
        if outcome.status == 0 {
          running[network.vni] = arguments
          reported.forget("start \(network.vni)")
          logger.info("dhcp: dnsmasq serves network \(network.vni) on vmbr\(network.vni)")
        } else if reported.isNew("start \(network.vni)") {
          let log = (try? String(contentsOfFile: paths.logFile, encoding: .utf8))?.suffix(300) ?? ""
          logger.warning("dhcp: dnsmasq for network \(network.vni) failed: \(outcome.output.prefix(300)) \(log)")
        }
      } catch {
        logger.warning("dhcp: network \(network.vni): \(error)")
      }
    }
    for vni in Set(running.keys).subtracting(wanted) { await stop(vni) }
    // Servers left by an earlier run of this daemon for networks no longer served.
    for vni in leftOvers() where !wanted.contains(vni) {
      await stop(vni)
      try? FileManager.default.removeItem(atPath: paths(vni).directory)
    }
  }

  /// Stops one network's server (a last lease sync first).
  func stop(_ vni: Int) async {
    if running[vni] != nil { await sync(vni) }
    await daemon(vni).stop()
    running[vni] = nil
    synced[vni] = nil
  }

  /// Stops every server this node runs, including those of an earlier run of pvcd.
  func stopAll() async {
    for vni in Set(running.keys).union(leftOvers()) { await stop(vni) }
  }

  /// The networks with a server directory here.
  private func leftOvers() -> [Int] {
    ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).compactMap { Int($0) }
  }

  /// Writes the reservation files; returns whether one was removed.
  private func writeHostFiles(_ network: NetworkInfo, paths: DnsmasqPlan.Paths) async throws -> Bool {
    let reservations = try await NetworkRecords(zookeeper: zookeeper).reservations(network.vni)
    let (files, problems) = DnsmasqPlan.hostFiles(reservations, network: network)
    for problem in problems where reported.isNew(problem) { logger.warning("dhcp: \(problem) (left out)") }
    let manager = FileManager.default
    try manager.createDirectory(atPath: paths.hostsDirectory, withIntermediateDirectories: true)
    var removed = false
    for name in try manager.contentsOfDirectory(atPath: paths.hostsDirectory) where files[name] == nil {
      try? manager.removeItem(atPath: paths.hostsDirectory + "/" + name)
      removed = true
    }
    for (name, content) in files {
      let path = paths.hostsDirectory + "/" + name
      if (try? String(contentsOfFile: path, encoding: .utf8)) != content {
        try content.write(toFile: path, atomically: true, encoding: .utf8)
      }
    }
    return removed
  }

  /// Starts the lease file from the cluster's unexpired leases of the network.
  private func writeLeaseFile(_ vni: Int, paths: DnsmasqPlan.Paths) async throws {
    let now = Int(Date().timeIntervalSince1970)
    let known = try await leasesInZooKeeper(vni).filter { $0.expiry == 0 || $0.expiry > now }
    try DnsmasqPlan.Lease.render(known.sorted { $0.mac < $1.mac }).write(
      toFile: paths.leaseFile, atomically: true, encoding: .utf8)
    synced[vni] = Set(known)
  }

  private func leasesInZooKeeper(_ vni: Int) async throws -> [DnsmasqPlan.Lease] {
    try await NetworkRecords(zookeeper: zookeeper).leases(vni).compactMap { lease in
      guard let mac = NetworkRules.mac(lease.macAddress), let address = IPAddress(lease.ip4Address), address.isV4
      else { return nil }
      return DnsmasqPlan.Lease(
        expiry: lease.timestamp, mac: mac, ip: address.description, hostname: lease.hostname, clientID: "")
    }
  }

  /// Copies every running server's lease changes into ZooKeeper.
  func syncLeases() async {
    for vni in running.keys.sorted() { await sync(vni) }
  }

  private func sync(_ vni: Int) async {
    guard let text = try? String(contentsOfFile: paths(vni).leaseFile, encoding: .utf8) else { return }
    let current = Set(DnsmasqPlan.Lease.parse(text))
    let before = synced[vni] ?? []
    guard current != before else { return }
    do {
      let beforeByMAC = Dictionary(before.map { ($0.mac, $0) }, uniquingKeysWith: { a, _ in a })
      let currentMACs = Set(current.map(\.mac))
      for lease in current where beforeByMAC[lease.mac] != lease {
        let ref = try Layout.lease(lease.mac, network: String(vni))
        let values: [(LeaseKey, String)] = [
          (.ip, lease.ip), (.hostname, lease.hostname), (.expiry, String(lease.expiry)), (.clientID, lease.clientID),
        ]
        if try await zookeeper.exists(ref.path(.root)) != nil {
          _ = try await zookeeper.multi(values.map { .set(ref.path($0.0), $0.1) })
        } else {
          _ = try await zookeeper.multi([.create(ref.path(.root), "")] + values.map { .create(ref.path($0.0), $0.1) })
        }
      }
      for lease in before where !currentMACs.contains(lease.mac) {
        try? await zookeeper.deleteRecursively(try Layout.lease(lease.mac, network: String(vni)).basePath)
      }
      synced[vni] = current
    } catch {
      if reported.isNew("leases \(vni)") { logger.warning("dhcp: leases of network \(vni): \(error)") }
      return
    }
    reported.forget("leases \(vni)")
  }
}
