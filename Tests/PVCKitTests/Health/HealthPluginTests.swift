import Foundation
import Logging
import PVCKitFixtures
import Synchronization
import Testing

@testable import PVCKit

/// The health plugins' framework and checks, on their own: the runner's time limits and isolation, the built-in
/// checks over prepared files, administrators' executables, the faults plugins raise, and the results in
/// ZooKeeper as upstream lays them out.
@Suite("Health plugins")
struct HealthPluginTests {
  /// A plugin that answers what it is given.
  struct Fixed: HealthPlugin {
    let name: String
    let result: HealthCheck
    func check() async throws -> HealthCheck { result }
  }

  /// A plugin whose check ignores cancellation and takes a minute.
  struct Hanging: HealthPlugin {
    let name = "hang"
    var timeout: Duration { .milliseconds(500) }
    func check() async throws -> HealthCheck {
      await Task { try? await Task.sleep(for: .seconds(60)) }.value
      return HealthCheck(delta: 0, message: "woke up")
    }
  }

  struct Failing: HealthPlugin {
    struct Broken: Error, CustomStringConvertible { var description: String { "the probe broke" } }
    let name = "broken"
    func check() async throws -> HealthCheck { throw Broken() }
  }

  static let logger = Logger(label: "test")

  @Test("node health is 100 less the deltas, never below 0; deltas are kept within 0...100")
  func healthFormula() {
    #expect(HealthCheck.nodeHealth([]) == 100)
    #expect(HealthCheck.nodeHealth([10, 25]) == 65)
    #expect(HealthCheck.nodeHealth([50, 50, 50]) == 0)
    #expect(HealthCheck(delta: 500, message: "").delta == 100)
    #expect(HealthCheck(delta: -3, message: "").delta == 0)
    #expect(HealthCheck.nodeHealth([Int.max, Int.max]) == 0)
  }

  @Test("a hanging check and a throwing one are failed checks; the others' results come at once")
  func isolation() async throws {
    let runner = HealthRunner(
      zookeeper: try await ZooKeeper.connect(to: TestServices.standalone), node: "hv1",
      plugins: [Hanging(), Failing(), Fixed(name: "ok", result: HealthCheck(delta: 0, message: "fine"))],
      logger: Self.logger)
    let started = ContinuousClock.now
    let results = await runner.round(runner.plugins)
    // The hanging check sleeps 60 s past its 0.5 s limit: a round that waited for it would take a minute (the
    // bound leaves room for a loaded machine, where the round took 5-6 s).
    #expect(ContinuousClock.now - started < .seconds(30), "the round waited for the hanging check")
    let byName = Dictionary(uniqueKeysWithValues: results.map { ($0.name, $0.check) })
    #expect(byName["ok"]?.delta == 0)
    #expect(byName["hang"]?.delta == HealthCheck.failureDelta)
    #expect(byName["hang"]?.message.contains("did not finish") == true)
    #expect(byName["broken"]?.message.contains("the probe broke") == true)
    // Still hanging: not started twice.
    let again = await runner.check(Hanging())
    #expect(again.check.message.contains("previous check has not ended"), "\(again.check.message)")
  }

  @Test("plugins with unusable or repeated names are left out")
  func names() async throws {
    let ok = HealthCheck(delta: 0, message: "")
    let runner = HealthRunner(
      zookeeper: try await ZooKeeper.connect(to: TestServices.standalone), node: "hv1",
      plugins: [
        Fixed(name: "load", result: ok), Fixed(name: "load", result: ok), Fixed(name: "../x", result: ok),
        Fixed(name: "", result: ok), Fixed(name: String(repeating: "a", count: 65), result: ok),
      ], logger: Self.logger)
    #expect(runner.plugins.map(\.name) == ["load"])
  }

  /// A temporary directory, removed afterwards.
  static func withDirectory(_ body: (String) async throws -> Void) async throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("health-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: directory) }
    try await body(directory)
  }

  static func write(_ text: String, to path: String, executable: Bool = false) throws {
    try text.write(toFile: path, atomically: true, encoding: .utf8)
    try FileManager.default.setAttributes([.posixPermissions: executable ? 0o755 : 0o644], ofItemAtPath: path)
  }

  @Test("load, memory, NICs and disk read their figures and judge them")
  func systemChecks() async throws {
    try await Self.withDirectory { directory in
      try Self.write("0.50 0.40 0.30 1/100 42\n", to: "\(directory)/loadavg")
      #expect(try await LoadHealthPlugin(loadavg: "\(directory)/loadavg").check().delta == 0)
      try Self.write("9999.0 1.0 1.0 1/100 42\n", to: "\(directory)/loadavg")
      #expect(try await LoadHealthPlugin(loadavg: "\(directory)/loadavg").check().delta == 50)
      try Self.write("garbage\n", to: "\(directory)/loadavg")
      await #expect(throws: (any Error).self) { try await LoadHealthPlugin(loadavg: "\(directory)/loadavg").check() }

      for (available, delta) in [(500_000, 0), (50_000, 25), (10_000, 50)] {
        try Self.write(
          "MemTotal:        1000000 kB\nMemFree:          1000 kB\nMemAvailable:    \(available) kB\n",
          to: "\(directory)/meminfo")
        #expect(try await MemoryHealthPlugin(meminfo: "\(directory)/meminfo").check().delta == delta, "\(available)")
      }

      // A fake /sys/class/net: eth0 up, eth1 down, eth2 missing; new errors on eth0 count on the next check.
      for (device, state) in [("eth0", "up"), ("eth1", "down")] {
        try FileManager.default.createDirectory(
          atPath: "\(directory)/net/\(device)/statistics", withIntermediateDirectories: true)
        try Self.write("\(state)\n", to: "\(directory)/net/\(device)/operstate")
        try Self.write("1000\n", to: "\(directory)/net/\(device)/speed")
        for counter in ["rx_errors", "tx_errors", "rx_dropped", "tx_dropped"] {
          try Self.write("0\n", to: "\(directory)/net/\(device)/statistics/\(counter)")
        }
      }
      let nics = NICHealthPlugin(devices: ["eth0", "eth1", "eth2", "../etc"], sysfs: "\(directory)/net")
      #expect(nics.devices == ["eth0", "eth1", "eth2"])
      let first = try await nics.check()
      #expect(first.delta == 100 && first.message.contains("eth1 is down") && first.message.contains("eth2"))
      try Self.write("7\n", to: "\(directory)/net/eth0/statistics/rx_errors")
      let second = try await NICHealthPlugin(devices: ["eth0"], sysfs: "\(directory)/net").check()
      #expect(second.delta == 0, "a first look has nothing to compare with")
      let third = try await nics.check()
      #expect(third.message.contains("eth0 had 7 new errors"), "\(third.message)")

      #expect(DiskHealthPlugin.disk(of: "/dev/sda1") == "/dev/sda")
      #expect(DiskHealthPlugin.disk(of: "/dev/nvme0n1p2") == "/dev/nvme0n1")
      #expect(DiskHealthPlugin.disk(of: "/dev/vda") == "/dev/vda")
      let disk = try await DiskHealthPlugin().check()
      #expect(disk.message.contains("file systems") || disk.message.contains("full"), "\(disk.message)")
    }
  }

  @Test("administrators' executables: a result object, failures of every kind, a check that runs too long is killed")
  func executables() async throws {
    try await Self.withDirectory { directory in
      try Self.write(
        "#!/bin/sh\necho '{\"health_delta\": 20, \"message\": \"raid degraded on '$PVC_NODE'\", \"data\": {\"md0\": 1}}'\n",
        to: "\(directory)/raid", executable: true)
      try Self.write("#!/bin/sh\necho oops >&2\nexit 3\n", to: "\(directory)/exits", executable: true)
      try Self.write("#!/bin/sh\necho not json\n", to: "\(directory)/garbage", executable: true)
      try Self.write("#!/bin/sh\nexec sleep 60\n", to: "\(directory)/sleepy", executable: true)
      try Self.write("#!/bin/sh\nexit 0\n", to: "\(directory)/notexec")
      try Self.write("#!/bin/sh\nexit 0\n", to: "\(directory)/Bad Name", executable: true)
      try Self.write("#!/bin/sh\nexit 0\n", to: "\(directory)/load", executable: true)
      // Generous limits (the parallel phase is busy), except for the one that must be killed.
      let found = ExecutableHealthPlugin.found(in: directory, node: "hv7", taken: ["load"], timeout: .seconds(30))
      #expect(found.map(\.name) == ["exits", "garbage", "raid", "sleepy"])
      var results: [String: HealthCheck] = [:]
      for var plugin in found {
        if plugin.name == "sleepy" { plugin.timeout = .seconds(2) }
        results[plugin.name] = try await plugin.check()
      }
      #expect(results["raid"] == HealthCheck(delta: 20, message: "raid degraded on hv7", data: .object(["md0": 1])))
      #expect(results["exits"]?.message.contains("status 3: oops") == true, "\(results["exits"]!)")
      #expect(results["garbage"]?.message.contains("did not print a result object") == true)
      #expect(results["sleepy"]?.message.contains("killed") == true, "\(results["sleepy"]!)")
      #expect(ExecutableHealthPlugin.parse("{\"health_delta\": \"x\", \"message\": \"m\"}") == nil)
      #expect(ExecutableHealthPlugin.found(in: "/nonexistent", node: "hv1", taken: [], timeout: .seconds(1)).isEmpty)
    }
  }

  @Test("FRR's BGP summary: established peers in every address family")
  func frrSummary() throws {
    let summary = try JSONValue(
      parsing: """
        {"ipv4Unicast": {"peers": {"10.0.0.2": {"state": "Established"}, "10.0.0.3": {"state": "Active"}}},
         "l2VpnEvpn": {"peers": {"10.0.0.4": {"state": "Established"}}}}
        """)
    #expect(FRRHealthPlugin.established(in: summary) == ["10.0.0.2", "10.0.0.4"])
    #expect(FRRHealthPlugin.established(in: .string("x")).isEmpty)
  }

  @Test("a plugin that lowers a live node's health raises NODE_PLUGIN_<PLUGIN>_<NODE> with half its delta")
  func pluginFaults() {
    var live = FaultTests.node("hv1", .run, allocated: 0)
    live.healthDetails = [
      .init(name: "lbvt", lastRun: 1, healthDelta: 50, message: "libvirt does not answer"),
      .init(name: "load", lastRun: 1, healthDelta: 0, message: "fine"),
    ]
    var dead = live
    dead.name = "hv2"
    dead.daemonState = .dead
    let faults = FaultChecks.evaluate(nodes: [live, dead], vms: [])
    let plugin = faults.filter { $0.id.hasPrefix("NODE_PLUGIN") }
    #expect(plugin.map(\.id) == ["NODE_PLUGIN_LBVT_hv1"])
    #expect(plugin.first?.healthDelta == 25)
    #expect(plugin.first?.message.contains("libvirt does not answer") == true)
  }

  @Test("the runner writes upstream's layout: plugin names, each result, the node's health; readers see them")
  func publishes() async throws {
    let hosts = try await TestServices.chroot()
    let cluster = try await PVCCluster.connect(.zookeeper(hosts: hosts))
    defer { Task { await cluster.close() } }
    let zookeeper = try #require(cluster.zookeeper)
    try await UpstreamSeeder(zookeeper: zookeeper, vms: 0).seed()
    try await zookeeper.create(try Layout.monitoringPlugin("stale", node: "hv1").basePath, "stale")
    try await Self.withDirectory { directory in
      try Self.write(
        "#!/bin/sh\necho '{\"health_delta\": 30, \"message\": \"custom\"}'\n", to: "\(directory)/custom",
        executable: true)
      let runner = HealthRunner(
        zookeeper: zookeeper, node: "hv1",
        plugins: [Fixed(name: "load", result: HealthCheck(delta: 10, message: "busy", data: .object(["l": 3])))],
        pluginDirectory: directory, interval: .seconds(1), logger: Self.logger)
      let running = Task { await runner.run() }
      defer { running.cancel() }
      #expect(
        try await eventually(timeout: .seconds(60)) {
          try await cluster.nodes.info("hv1").health == 60
        })
      let node = try await cluster.nodes.info("hv1")
      #expect(node.healthPlugins == ["load", "custom"])
      let load = try #require(node.healthDetails.first { $0.name == "load" })
      #expect(load.healthDelta == 10 && load.message == "busy" && load.lastRun > 0)
      #expect(node.healthDetails.first { $0.name == "custom" }?.message == "custom")
      #expect(try await zookeeper.exists(try Layout.monitoringPlugin("stale", node: "hv1").basePath) == nil)
      // An executable taken away is no longer run or listed.
      try FileManager.default.removeItem(atPath: "\(directory)/custom")
      #expect(
        try await eventually(timeout: .seconds(60)) {
          let info = try await cluster.nodes.info("hv1")
          return info.healthPlugins == ["load"] && info.health == 90
        })
    }
  }
}
