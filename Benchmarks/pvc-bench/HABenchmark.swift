import Foundation
import PVCKit
import PVCKitFixtures

/// High availability on the simulated nodes (three namespaces with libvirtd,
/// pvcd and an IPMI simulator): how long from a node's power loss until it is
/// fenced and its VMs run elsewhere, with aggressive timers against upstream's
/// defaults in the same run; and how long moving the primary role takes against
/// one ZooKeeper change notification.
struct HABenchmark {
  /// ZooKeeper as the nodes reach it (on their bridge).
  var hosts: String
  var rounds: Int
  var defaultRounds: Int

  /// Keepalive and fencing timers.
  struct Timers {
    var name: String
    var keepalive: Int
    var fenceIntervals: Int
    var savingThrows: Int
    /// The time the timers make the fencer wait before it asks IPMI.
    var floor: Double { Double(keepalive * (fenceIntervals + savingThrows)) }
  }
  static let aggressive = Timers(name: "aggressive", keepalive: 1, fenceIntervals: 3, savingThrows: 2)
  static let upstream = Timers(name: "upstream defaults", keepalive: 5, fenceIntervals: 6, savingThrows: 6)

  /// What one power loss took, in seconds from the plug being pulled.
  struct Outcome {
    var fenced: Double
    var recovered: Double
    var twoCopies: [String]
  }

  func run() async throws -> Report {
    var fast: [Outcome] = []
    var handovers: [Double] = []
    for round in 0..<rounds {
      let (outcome, moves) = try await powerLoss(Self.aggressive, handover: round == 0)
      fast.append(outcome)
      handovers += moves
    }
    var slow: [Outcome] = []
    for _ in 0..<defaultRounds { slow.append(try await powerLoss(Self.upstream).outcome) }
    let notifications = try await notificationRoundTrips(count: 10)

    var report = Report(
      title:
        "HA: power loss of a node with 2 running VMs (3 nodes, ipmi_sim), median of \(rounds) (defaults: \(defaultRounds))"
    )
    let aggressive = Self.aggressive
    let upstream = Self.upstream
    report.add(
      "death to fenced, aggressive timers (\(aggressive.keepalive) s × \(aggressive.fenceIntervals)+\(aggressive.savingThrows))",
      median(fast.map(\.fenced)), against: "upstream default timers", median(slow.map(\.fenced)), unit: "s",
      better: .lower)
    report.add(
      "death to VMs running elsewhere, aggressive", median(fast.map(\.recovered)), against: "upstream default timers",
      median(slow.map(\.recovered)), unit: "s", better: .lower)
    report.add(
      "death to VMs running elsewhere, aggressive", median(fast.map(\.recovered)),
      against: "timer floor (\(Int(aggressive.floor)) s before IPMI)", aggressive.floor, unit: "s", better: .lower)
    report.add(
      "death to VMs running elsewhere, upstream defaults", median(slow.map(\.recovered)),
      against: "timer floor (\(Int(upstream.floor)) s before IPMI)", upstream.floor, unit: "s", better: .lower)
    report.add(
      "primary moved (pvc node primary --wait)", milliseconds(handovers),
      against: "one ZooKeeper change notification", milliseconds(notifications), unit: "ms", better: .lower)
    let copies = (fast + slow).flatMap(\.twoCopies)
    report.notes.append(
      "Lower is better. Times start when the node's plug is pulled (everything in its namespace killed). "
        + "A VM seen on two nodes at once: \(copies.isEmpty ? "never" : copies.joined(separator: "; ")).")
    return report
  }

  /// Pulls the plug of a node running two VMs and times the fence and the recovery.
  /// First times moves of the primary role, if asked.
  private func powerLoss(_ timers: Timers, handover: Bool = false) async throws -> (
    outcome: Outcome, handovers: [Double]
  ) {
    try await withCluster(timers) { cluster, tag in
      let handovers = handover ? try await moves(cluster) : []
      let primary = try await cluster.nodes.primary()
      let victim = ["hv3", "hv2", "hv1"].first { $0 != primary }!
      var uuids: [String] = []
      for index in 0..<2 {
        let uuid = UUID().uuidString.lowercased()
        uuids.append(uuid)
        _ = try await cluster.vms.define(
          VMDefinition(
            xml: VMStartBenchmark.guest(name: "ha-\(tag)-\(index)", uuid: uuid), node: victim, initialState: .start))
      }
      try await until(.seconds(60)) { uuids.allSatisfy { SimulatedNodes.hosts(of: $0) == [victim] } }
      let watch = TwoCopiesWatch(uuids)
      let zk = cluster.zookeeper!
      let start = ContinuousClock.now
      try SimulatedNodes.powerOff(victim)
      var fenced: Double?
      var recovered: Double?
      let deadline = start + .seconds(timers.floor * 3 + 60)
      while fenced == nil || recovered == nil, ContinuousClock.now < deadline {
        if fenced == nil, try await zk.string(try Layout.node(victim).path(.daemonState)) == "fenced" {
          fenced = (ContinuousClock.now - start).seconds
        }
        if recovered == nil,
          uuids.allSatisfy({ uuid in
            let hosts = SimulatedNodes.hosts(of: uuid)
            return !hosts.isEmpty && !hosts.contains(victim)
          })
        {
          recovered = (ContinuousClock.now - start).seconds
        }
        try await Task.sleep(for: .milliseconds(100))
      }
      guard let fenced, let recovered else { throw HABenchmarkError.notRecovered(victim) }
      return (Outcome(fenced: fenced, recovered: recovered, twoCopies: watch.stop()), handovers)
    }
  }

  /// Self-fencing of a cut node with 1 and with 20 guests: from pvcd's decision to
  /// the last guest gone, against the same guests destroyed one by one.
  func runSelfFence(rounds: Int) async throws -> Report {
    var report = Report(title: "Self-fencing: a node cut off with IPMI failing stops its guests, median of \(rounds)")
    for guests in [1, 20] {
      var parallel: [Double] = []
      var serial: [Double] = []
      for _ in 0..<rounds {
        parallel.append(try await selfFence(guests: guests))
        serial.append(try await serialDestroy(guests: guests))
      }
      report.add(
        "decision to last of \(guests) guest\(guests == 1 ? "" : "s") gone (pvcd: all at once)",
        milliseconds(parallel), against: "libvirt destroys one by one (pvcd before)", milliseconds(serial), unit: "ms",
        better: .lower)
    }
    report.notes.append(
      "Lower is better. With 20 guests the cluster must not start them elsewhere before the last is gone; "
        + "the margin is the self-fence time plus the watchdog timeout (Documentation/HighAvailability.md).")
    return report
  }

  /// Cuts a node running `guests` guests off the network (IPMI failing, self-fencing after
  /// 3 intervals) and returns the time its pvcd took from deciding to self-fence until
  /// the last guest was gone, as pvcd logs it.
  private func selfFence(guests: Int) async throws -> Double {
    try await withCluster(Self.aggressive, selfFence: true) { cluster, tag in
      let primary = try await cluster.nodes.primary()
      let victim = ["hv3", "hv2", "hv1"].first { $0 != primary }!
      let uuids = (0..<guests).map { _ in UUID().uuidString.lowercased() }
      for (index, uuid) in uuids.enumerated() {
        _ = try await cluster.vms.define(
          VMDefinition(
            xml: VMStartBenchmark.guest(name: "sf-\(tag)-\(index)", uuid: uuid), node: victim, initialState: .start))
      }
      try await until(.seconds(120)) { SimulatedNodes.guests(on: victim).isSuperset(of: uuids) }
      try SimulatedNodes.cut(victim)
      let log = FileManager.default.temporaryDirectory.appendingPathComponent("pvc-bench-\(tag)/\(victim).log")
      var took: Double?
      try await until(.seconds(60)) {
        let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        guard let line = text.split(separator: "\n").last(where: { $0.contains("self-fencing: stopped") }) else {
          return false
        }
        took = line.split(separator: " ").dropLast().last.flatMap { Double($0) }.map { $0 / 1000 }
        return true
      }
      guard let took, SimulatedNodes.guests(on: victim).isDisjoint(with: uuids) else {
        throw HABenchmarkError.notRecovered(victim)
      }
      return took
    }
  }

  /// The baseline of ``selfFence(guests:)``: as many guests started on a node
  /// directly through libvirt, then destroyed one after another, as pvcd did before.
  private func serialDestroy(guests: Int) async throws -> Double {
    let libvirt = try await LibvirtConnection.open(SimulatedNodes.libvirtURI("hv1"))
    let uuids = (0..<guests).map { _ in UUID().uuidString.lowercased() }
    for (index, uuid) in uuids.enumerated() {
      try await libvirt.createTransient(xml: VMStartBenchmark.guest(name: "sd-\(index)-\(uuid.prefix(6))", uuid: uuid))
    }
    let took = try await timed { for uuid in uuids { try await libvirt.destroy(uuid) } }
    await libvirt.close()
    return took
  }

  /// Moves the primary role around the coordinators and times each move.
  private func moves(_ cluster: PVCCluster) async throws -> [Double] {
    var times: [Double] = []
    for round in 0..<6 {
      let target = "hv\(round % 3 + 1)"
      guard try await cluster.nodes.primary() != target else { continue }
      times.append(try await timed { _ = try await cluster.nodes.setCoordinatorState(target, .primary, wait: true) })
    }
    return times
  }

  /// The time from one session's write until another session's watch reports it.
  private func notificationRoundTrips(count: Int) async throws -> [Double] {
    let root = "/pvc-bench-notify-\(UUID().uuidString.prefix(8))"
    let writer = try await ZooKeeper.connect(to: hosts)
    let reader = try await ZooKeeper.connect(to: hosts)
    try await writer.create(root, "0")
    var changes = reader.watchData(root).makeAsyncIterator()
    _ = await changes.next()
    var times: [Double] = []
    for value in 1...count {
      times.append(
        try await timed {
          try await writer.set(root, "\(value)")
          while let data = await changes.next(), data?.string != "\(value)" {}
        })
    }
    try await writer.delete(root)
    await reader.close()
    await writer.close()
    return times
  }

  /// Runs `body` on a fresh cluster: its own chroot, a pvcd on each node, a primary.
  /// With `selfFence`, nodes stop their guests after 3 intervals without ZooKeeper and IPMI fails.
  private func withCluster<T>(
    _ timers: Timers, selfFence: Bool = false, _ body: (PVCCluster, String) async throws -> T
  ) async throws -> T {
    var fencing = SimulatedNodeConfiguration.Fencing()
    fencing.fenceIntervals = timers.fenceIntervals
    fencing.savingThrows = timers.savingThrows
    fencing.ipmiHostname = SimulatedNodes.ipmiHostname
    if selfFence {
      fencing.selfFenceIntervals = 3
      fencing.ipmiPassword = "wrong"
    }
    return try await BenchCluster.with(
      hosts: hosts,
      configuration: SimulatedNodeConfiguration.text(
        nodeNet: SimulatedNodes.net, keepalive: timers.keepalive, fencing: fencing),
      body)
  }

  private func until(_ timeout: Duration, _ condition: () async throws -> Bool) async throws {
    try await BenchCluster.until(timeout, condition)
  }
}

enum HABenchmarkError: Error, CustomStringConvertible {
  case notRecovered(String)
  case timedOut
  var description: String {
    switch self {
    case .notRecovered(let node): "node \(node) was not fenced, or its VMs did not run elsewhere"
    case .timedOut: "the cluster did not come up"
    }
  }
}
