import Foundation

/// `ceph`: the storage cluster's health as its monitors report it (on nodes with storage): `HEALTH_WARN` −10,
/// `HEALTH_ERR` −50, no answer −50. (The primary also raises `CEPH_WARN_*`/`CEPH_ERR_*` faults per check.)
struct CephHealthPlugin: HealthPlugin {
  let name = "ceph"
  let ceph: CephLink
  var timeout: Duration { .seconds(20) }

  func check() async throws -> HealthCheck {
    let health: JSONValue
    do {
      health = try await ceph.with { try await $0.monitorJSON(["prefix": "health"]) }
    } catch {
      return HealthCheck(delta: 50, message: "Ceph does not answer: \(error)")
    }
    guard case .object(let fields) = health, case .string(let status)? = fields["status"] else {
      return .failed("Ceph's health answer has no status")
    }
    var names: [String] = []
    if case .object(let checks)? = fields["checks"] { names = checks.keys.sorted() }
    let data: JSONValue = .object(["status": .string(status), "checks": .array(names.map { .string($0) })])
    let detail = names.isEmpty ? "" : ": " + names.joined(separator: ", ")
    switch status {
    case "HEALTH_OK": return HealthCheck(delta: 0, message: "Ceph is HEALTH_OK", data: data)
    case "HEALTH_WARN": return HealthCheck(delta: 10, message: "Ceph is HEALTH_WARN\(detail)", data: data)
    default: return HealthCheck(delta: 50, message: "Ceph is \(status)\(detail)", data: data)
    }
  }
}

/// `galera`: each MariaDB Galera member the cluster's databases use (upstream's `psql`/`kydb` for its
/// databases): a member that does not answer or is not synced −10; none synced −50 (DNS and the provisioner stop).
struct GaleraHealthPlugin: HealthPlugin {
  let name = "galera"
  let settings: MariaDBConnection.Settings
  var timeout: Duration { .seconds(20) }

  func check() async throws -> HealthCheck {
    var data: [String: JSONValue] = [:]
    var problems: [String] = []
    var synced = 0
    for host in settings.hosts {
      var one = settings
      one.hosts = [host]
      one.timeout = min(settings.timeout, 5)
      do {
        let connection = try await MariaDBConnection.connect(one)
        let rows = try await connection.query(
          "SHOW STATUS WHERE Variable_name IN ('wsrep_ready', 'wsrep_local_state_comment', 'wsrep_cluster_size')")
        await connection.close()
        var status: [String: String] = [:]
        for row in rows where row.count >= 2 { status[row[0] ?? ""] = row[1] ?? "" }
        let state = status["wsrep_local_state_comment"] ?? "not in a Galera cluster"
        data[host] = .object([
          "state": .string(state), "ready": .string(status["wsrep_ready"] ?? ""),
          "cluster_size": .string(status["wsrep_cluster_size"] ?? ""),
        ])
        if state == "Synced" && status["wsrep_ready"] == "ON" {
          synced += 1
        } else {
          problems.append("\(host) is \(state)")
        }
      } catch {
        data[host] = .object(["state": .string("no answer")])
        problems.append("\(host) does not answer")
      }
    }
    let delta = synced == 0 ? 50 : problems.count * 10
    return HealthCheck(
      delta: delta,
      message: problems.isEmpty
        ? "Galera: \(synced) members synced" : "Galera: \(synced) synced; " + problems.joined(separator: "; "),
      data: .object(data))
  }
}

/// `dnsmasq` and `powerdns`: on the primary coordinator, the servers it runs for the cluster (one dnsmasq per
/// managed network, PowerDNS for the cluster's DNS) are alive (−50 each that is not). Other nodes run none and
/// report that.
struct PrimaryServerHealthPlugin: HealthPlugin {
  let name: String
  let zookeeper: ZooKeeper
  let node: String
  /// The daemons that should run on the primary, by what they serve, found when the check runs.
  let daemons: @Sendable () async -> [(what: String, daemon: PidFileDaemon)]

  func check() async throws -> HealthCheck {
    let primary = try await zookeeper.string(Layout.base.path(.primaryNode))
    guard primary == node else {
      return HealthCheck(delta: 0, message: "Not the primary: no \(name) runs here")
    }
    var data: [String: JSONValue] = [:]
    var dead: [String] = []
    let expected = await daemons()
    for (what, daemon) in expected {
      let pid = daemon.pid
      data[what] = pid.map { .integer(Int($0)) } ?? .string("not running")
      if pid == nil { dead.append(what) }
    }
    return HealthCheck(
      delta: 50 * dead.count,
      message: dead.isEmpty
        ? "\(expected.count) \(name) servers running" : "\(name) not running for " + dead.joined(separator: ", "),
      data: .object(data))
  }
}

/// `frr`: the node's FRR daemons (zebra, bgpd) for the client networks' EVPN are alive (−50 each that is not),
/// and its BGP sessions with the other nodes are established (−10 for each that is not, when vtysh can tell).
struct FRRHealthPlugin: HealthPlugin {
  let name = "frr"
  let plan: FRRPlan
  let vtysh = Command("/usr/bin/vtysh")

  func check() async throws -> HealthCheck {
    var delta = 0
    var problems: [String] = []
    var data: [String: JSONValue] = [:]
    for daemon in ["zebra", "bgpd"] {
      let alive = PidFileDaemon(pidFile: plan.pidFile(daemon), marker: plan.pidFile(daemon)).pid != nil
      data[daemon] = .string(alive ? "running" : "not running")
      if !alive {
        delta += 50
        problems.append("\(daemon) is not running")
      }
    }
    if delta == 0, FileManager.default.isExecutableFile(atPath: vtysh.executable) {
      let outcome = try await vtysh.run(
        ["--vty_socket", plan.directory, "-c", "show bgp summary json"], timeout: .seconds(10))
      if outcome.status == 0, let summary = try? JSONValue(parsing: outcome.output) {
        let established = Self.established(in: summary)
        data["established"] = .array(established.sorted().map { .string($0) })
        for peer in plan.peers where !established.contains("\(peer.address)") {
          delta += 10
          problems.append("BGP session with \(peer.address) is not established")
        }
      }
    }
    return HealthCheck(
      delta: delta,
      message: problems.isEmpty ? "FRR running, \(plan.peers.count) BGP peers" : problems.joined(separator: "; "),
      data: .object(data))
  }

  /// The peers whose sessions are established in `show bgp summary json` (every address family).
  static func established(in summary: JSONValue) -> Set<String> {
    guard case .object(let families) = summary else { return [] }
    var found: Set<String> = []
    for case .object(let family) in families.values {
      guard case .object(let peers)? = family["peers"] else { continue }
      for (address, peer) in peers {
        if case .object(let fields) = peer, case .string(let state)? = fields["state"], state == "Established" {
          found.insert(address)
        }
      }
    }
    return found
  }
}
