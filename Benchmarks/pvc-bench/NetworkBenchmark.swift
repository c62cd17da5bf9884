import Foundation
import PVCKit
import PVCKitFixtures

/// Client networks on the simulated nodes (three namespaces with pvcd and FRR):
/// how long from `network add` until guests on every node reach each other,
/// against making the same links by hand with `ip`; how long DHCP is away when
/// the primary role moves, against one restart of dnsmasq by hand; and how long
/// a rule change takes to be active on every node with 1,000 rules, against one
/// `nft -f` of the same ruleset.
struct NetworkBenchmark {
  /// ZooKeeper as the nodes reach it (on their bridge).
  var hosts: String
  var rounds: Int
  var rules: Int

  static let nodes = ["hv1", "hv2", "hv3"]

  func run() async throws -> Report {
    var report = Report(
      title: "Networks: 3 nodes with pvcd and FRR (BGP EVPN), median of \(rounds); lower is better")
    let tag = "bench-net-\(UUID().uuidString.prefix(8).lowercased())"
    let admin = try await ZooKeeper.connect(to: hosts)
    try await admin.create("/\(tag)", "")
    let cluster = try await PVCCluster.connect(.zookeeper(hosts: "\(hosts)/\(tag)"))
    try await cluster.initialize()
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("pvc-bench-\(tag)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    let config = directory.appendingPathComponent("pvc.conf").path
    try SimulatedNodeConfiguration.text(nodeNet: SimulatedNodes.net, networking: true)
      .write(toFile: config, atomically: true, encoding: .utf8)
    let pvcd = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("pvcd")
    func start() throws {
      for node in Self.nodes {
        try SimulatedNodes.startDaemon(
          on: node, tag: tag, log: directory.appendingPathComponent("\(node).log").path,
          command: [
            pvcd.path, "--config", config, "--zookeeper", "\(hosts)/\(tag)", "--node", node, "--libvirt-uri",
            SimulatedNodes.libvirtURI(node), "--auto-ready",
          ])
      }
    }
    func stop() { for node in Self.nodes { try? SimulatedNodes.stopDaemon(on: node, tag: tag) } }
    defer {
      stop()
      try? FileManager.default.removeItem(at: directory)
    }
    try start()
    try await until(.seconds(60)) {
      let states = try? await cluster.nodes.list().map(\.daemonState)
      return states?.count == 3 && states?.allSatisfy { $0 == "run" } == true
    }

    // 1. network add → guests on every node reach each other.
    var added: [Double] = []
    for round in 0..<rounds {
      let vni = 2100 + round
      let start = ContinuousClock.now
      try await cluster.networks.add(
        NetworkDefinition(
          vni: vni, description: "bench-\(vni)", type: .managed, ip4Network: "10.210.\(round).0/24",
          ip4Gateway: "10.210.\(round).1"))
      added.append(try await reachable(vni: vni, subnet: "10.210.\(round)", since: start))
      try await cluster.networks.remove(vni)
    }

    // 3. one rule change, with `rules` rules in place, active on every node.
    let vni = 2200
    try await cluster.networks.add(
      NetworkDefinition(
        vni: vni, description: "bench-acl", type: .managed, ip4Network: "10.220.0.0/24", ip4Gateway: "10.220.0.1"))
    for index in 0..<rules {
      try await cluster.networks.addACL(
        vni, description: "r\(index)", direction: .inbound, order: nil,
        rule: "ip saddr 10.\(index / 250 + 1).\(index % 250).0/24 tcp dport \(1000 + index) drop")
    }
    try await until(.seconds(120)) { Self.nodes.allSatisfy { Self.table($0).contains("tcp dport \(999 + rules)") } }
    var changes: [Double] = []
    for round in 0..<rounds {
      let port = 60000 + round
      let start = ContinuousClock.now
      try await cluster.networks.addACL(
        vni, description: "change\(round)", direction: .outbound, order: nil, rule: "udp dport \(port) drop")
      try await until(.seconds(60)) { Self.nodes.allSatisfy { Self.table($0).contains("udp dport \(port)") } }
      changes.append((ContinuousClock.now - start).seconds)
    }
    // The baseline: the same ruleset, as nftables lists it, loaded by one `nft -f` in one node.
    let ruleset = "table inet pvckit\ndelete table inet pvckit\n" + Self.table("hv1")
    let file = directory.appendingPathComponent("ruleset.nft").path
    try ruleset.write(toFile: file, atomically: true, encoding: .utf8)
    var nftLoads: [Double] = []
    for _ in 0..<rounds {
      let start = ContinuousClock.now
      _ = try SimulatedNodes.inside("hv1", ["nft", "-f", file])
      nftLoads.append((ContinuousClock.now - start).seconds)
    }
    try await cluster.networks.remove(vni)

    // 2. DHCP away while the primary role moves, seen by a guest asking again and again.
    let dhcpVNI = 2300
    try await cluster.networks.add(
      NetworkDefinition(
        vni: dhcpVNI, description: "bench-dhcp", type: .managed, ip4Network: "10.230.0.0/24",
        ip4Gateway: "10.230.0.1", dhcp4: true, dhcp4Start: "10.230.0.100", dhcp4End: "10.230.0.199"))
    var gaps: [Double] = []
    for _ in 0..<rounds {
      let primary = try await cluster.nodes.primary() ?? "hv1"
      let next = Self.nodes.first { $0 != primary }!
      let watcher = Self.nodes.first { $0 != primary && $0 != next }!
      try await until(.seconds(30)) { Self.bridgeExists(watcher, vni: dhcpVNI) }
      let guest = try NetworkGuest.plug("bd", into: watcher, vni: dhcpVNI, mac: "52:54:00:23:00:01")
      defer { guest.remove() }
      try await until(.seconds(30)) { (try? await guest.dhcp(hostname: "bench", tries: 1)) != nil }
      let start = ContinuousClock.now
      _ = try await cluster.nodes.setCoordinatorState(next, .primary, wait: false)
      // Until the old primary has stopped answering, an answer says nothing: wait for the role to move.
      try await until(.seconds(60)) { try await cluster.nodes.primary() == next }
      try await until(.seconds(60)) { (try? await guest.dhcp(hostname: "bench", tries: 1)) != nil }
      gaps.append((ContinuousClock.now - start).seconds)
    }
    try await cluster.networks.remove(dhcpVNI)

    // Baselines without pvcd (FRR keeps running): the same links by hand, one dnsmasq restarted by hand.
    stop()
    var manual: [Double] = []
    for round in 0..<rounds {
      let vni = 2400 + round
      let start = ContinuousClock.now
      for node in Self.nodes {
        let local = "\(SimulatedNodes.net).\(SimulatedNodes.number(node))"
        for command in [
          ["link", "add", "vmbr\(vni)", "type", "bridge"], ["link", "set", "vmbr\(vni)", "mtu", "1450", "up"],
          [
            "link", "add", "vxlan\(vni)", "type", "vxlan", "id", String(vni), "dstport", "4789", "dev", "hvnet0",
            "local", local, "nolearning",
          ],
          ["link", "set", "vxlan\(vni)", "master", "vmbr\(vni)", "mtu", "1450", "up"],
          ["link", "set", "vxlan\(vni)", "type", "bridge_slave", "learning", "off"],
        ] {
          _ = try SimulatedNodes.inside(node, ["ip"] + command)
        }
      }
      manual.append(try await reachable(vni: vni, subnet: "10.240.\(round)", since: start))
      for node in Self.nodes {
        _ = try? SimulatedNodes.inside(node, ["ip", "link", "del", "vxlan\(vni)"])
        _ = try? SimulatedNodes.inside(node, ["ip", "link", "del", "vmbr\(vni)"])
      }
    }
    let restarts = try await dnsmasqRestarts(directory: directory.path)

    report.add(
      "network add → guests on all 3 nodes reach each other (pvcd)", median(added),
      against: "the same links made by hand with ip", median(manual), unit: "s", better: .lower)
    report.add(
      "primary handover → DHCP answers on the new primary", median(gaps), against: "one dnsmasq restart by hand",
      median(restarts), unit: "s", better: .lower)
    report.add(
      "rule added with \(rules) rules in place → active on all 3 nodes", median(changes),
      against: "one nft -f of the same ruleset on one node", median(nftLoads), unit: "s", better: .lower)
    report.notes.append(
      "Lower is better. Reachability: a guest namespace plugged into vmbr<vni> on each node pings the others "
        + "(EVPN learns them); DHCP: a guest on a third node asks with busybox udhcpc, one try per second, so "
        + "both DHCP figures are within about a second of the truth.")
    await cluster.close()
    try? await admin.deleteRecursively("/\(tag)")
    await admin.close()
    return report
  }

  /// Seconds from `since` until a guest on each node (plugged as soon as its bridge exists) pings the others.
  private func reachable(vni: Int, subnet: String, since start: ContinuousClock.Instant) async throws -> Double {
    var guests: [NetworkGuest] = []
    defer { for guest in guests { guest.remove() } }
    for (index, node) in Self.nodes.enumerated() {
      try await until(.seconds(30)) { Self.bridgeExists(node, vni: vni) }
      let guest = try NetworkGuest.plug(
        "b\(index)", into: node, vni: vni, mac: String(format: "52:54:00:21:00:%02x", index + 1))
      _ = try guest.inside(["ip", "address", "add", "\(subnet).\(11 + index)/24", "dev", "eth0"])
      guests.append(guest)
    }
    try await until(.seconds(60)) {
      for (index, guest) in guests.enumerated() {
        guard await guest.ping("\(subnet).\(11 + (index + 1) % guests.count)") else { return false }
      }
      return true
    }
    return (ContinuousClock.now - start).seconds
  }

  /// One dnsmasq on hv1 with a network's arguments, stopped and started again; seconds until a guest on hv2 has
  /// an answer, per round.
  private func dnsmasqRestarts(directory: String) async throws -> [Double] {
    let vni = 2500
    let node = "hv1"
    let files = "\(directory)/dnsmasq"
    try FileManager.default.createDirectory(atPath: "\(files)/hosts", withIntermediateDirectories: true)
    for host in Self.nodes {
      for command in [
        ["link", "add", "vmbr\(vni)", "type", "bridge"], ["link", "set", "vmbr\(vni)", "mtu", "1450", "up"],
        [
          "link", "add", "vxlan\(vni)", "type", "vxlan", "id", String(vni), "dstport", "4789", "dev", "hvnet0",
          "local", "\(SimulatedNodes.net).\(SimulatedNodes.number(host))", "nolearning",
        ],
        ["link", "set", "vxlan\(vni)", "master", "vmbr\(vni)", "mtu", "1450", "up"],
      ] {
        _ = try SimulatedNodes.inside(host, ["ip"] + command)
      }
    }
    defer {
      for host in Self.nodes {
        _ = try? SimulatedNodes.inside(host, ["ip", "link", "del", "vxlan\(vni)"])
        _ = try? SimulatedNodes.inside(host, ["ip", "link", "del", "vmbr\(vni)"])
      }
    }
    _ = try SimulatedNodes.inside(node, ["ip", "address", "add", "10.250.0.1/24", "dev", "vmbr\(vni)"])
    let arguments = [
      "dnsmasq", "--conf-file=/dev/null", "--pid-file=\(files)/pid", "--user=root", "--interface=vmbr\(vni)",
      "--except-interface=lo", "--bind-interfaces", "--no-resolv", "--no-hosts", "--no-ping", "--dhcp-authoritative",
      "--dhcp-leasefile=\(files)/leases", "--dhcp-hostsdir=\(files)/hosts", "--listen-address=10.250.0.1",
      "--dhcp-range=10.250.0.100,10.250.0.199,255.255.255.0,48h", "--dhcp-option=option:router,10.250.0.1",
    ]
    func kill() {
      if let pid = try? String(contentsOfFile: "\(files)/pid", encoding: .utf8) {
        // SIGKILL: a dnsmasq started from this process (Foundation's Process) may have SIGTERM blocked.
        _ = try? SimulatedNodes.inside(node, ["kill", "-KILL", pid.trimmingCharacters(in: .whitespacesAndNewlines)])
      }
    }
    defer { kill() }
    _ = try SimulatedNodes.inside(node, arguments)
    let guest = try NetworkGuest.plug("bdr", into: "hv2", vni: vni, mac: "52:54:00:25:00:01")
    defer { guest.remove() }
    try await until(.seconds(60)) { (try? await guest.dhcp(hostname: "bench", tries: 1)) != nil }
    var gaps: [Double] = []
    for _ in 0..<rounds {
      let start = ContinuousClock.now
      kill()
      try await until(.seconds(10)) {
        (try? SimulatedNodes.inside(node, ["pgrep", "-f", "\(files)/pid"]))?.status != 0
      }
      _ = try SimulatedNodes.inside(node, arguments)
      try await until(.seconds(60)) { (try? await guest.dhcp(hostname: "bench", tries: 1)) != nil }
      gaps.append((ContinuousClock.now - start).seconds)
    }
    return gaps
  }

  static func bridgeExists(_ node: String, vni: Int) -> Bool {
    (try? SimulatedNodes.inside(node, ["ip", "link", "show", "vmbr\(vni)"]))?.status == 0
  }

  /// Table `inet pvckit` of a node, as nftables lists it.
  static func table(_ node: String) -> String {
    (try? SimulatedNodes.inside(node, ["nft", "list", "table", "inet", "pvckit"]))?.output ?? ""
  }
}

enum NetworkBenchmarkError: Error {
  case timedOut(String)
}

/// Waits until `condition` holds, checking every 20 ms.
func until(
  _ limit: Duration, _ what: String = "", line: Int = #line, _ condition: () async throws -> Bool
) async throws {
  let deadline = ContinuousClock.now + limit
  while ContinuousClock.now < deadline {
    if try await condition() { return }
    try await Task.sleep(for: .milliseconds(20))
  }
  throw NetworkBenchmarkError.timedOut("\(what) (line \(line))")
}
