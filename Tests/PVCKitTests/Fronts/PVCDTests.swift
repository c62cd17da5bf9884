import Foundation
import PVCKit
import PVCKitFixtures
import Testing

/// The built `pvcd` binary's startup steps against a real ZooKeeper.
@Suite("pvcd startup")
struct PVCDTests {
  static let config = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Fixtures/pvc.conf").path

  @Test("startup migrates an older layout, repairs missing keys and records the cluster name")
  func startupRepairs() async throws {
    let hosts = try await TestServices.chroot()
    let zk = try await ZooKeeper.connect(to: hosts)
    defer { Task { await zk.close() } }
    try await UpstreamSeeder(zookeeper: zk, vms: 3).seed()
    let vm = try Layout.domain(UpstreamSeeder.uuid(1))
    try await zk.delete(vm.path(.migrationMaxDowntime))
    try await zk.deleteRecursively(Layout.base.path(.faults))
    try await zk.set(Layout.base.path(.schemaVersion), "10")

    let result = try TestServices.run("pvcd", ["--config", Self.config, "--zookeeper", hosts, "--once"])
    #expect(result.status == 0, "\(result.stderr)")
    #expect(result.stderr.contains("schema version 10 migrated to 15"))
    #expect(try await zk.string(Layout.base.path(.schemaVersion)) == "15")
    #expect(try await zk.string(vm.path(.migrationMaxDowntime)) == "300")
    #expect(try await zk.exists(Layout.base.path(.faults)) != nil)
    #expect(try await zk.string(Layout.base.path(.config)) == "testcluster")
  }

  @Test("startup refuses an uninitialized cluster and a bad configuration")
  func startupRefusals() async throws {
    let hosts = try await TestServices.chroot()
    let empty = try TestServices.run("pvcd", ["--config", Self.config, "--zookeeper", hosts, "--once"])
    #expect(empty.status == 1)
    #expect(empty.stderr.contains("not initialized"))

    let badConfig = try TestServices.run("pvcd", ["--config", "/etc/hostname", "--once"])
    #expect(badConfig.status == 1)
    #expect(badConfig.stderr.contains("/etc/hostname"))

    let api = try TestServices.run("pvcapi", ["--version"])
    #expect(api.status == 0)
    #expect(api.stdout.contains("PVCKit"))
  }

  @Test("a daemon that cannot start (its watchdog cannot be opened) leaves its node stopped, with a fault saying why")
  func startFailure() async throws {
    let hosts = try await TestServices.chroot()
    let cluster = try await PVCCluster.connect(.zookeeper(hosts: hosts))
    defer { Task { await cluster.close() } }
    try await UpstreamSeeder(zookeeper: cluster.zookeeper!, vms: 1).seed()
    var fencing = SimulatedNodeConfiguration.Fencing()
    fencing.watchdogDevice = "/nonexistent/watchdog"
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("pvcd-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let config = directory.appendingPathComponent("pvc.conf").path
    try SimulatedNodeConfiguration.text(nodeNet: "10.99.0", fencing: fencing).write(
      toFile: config, atomically: true, encoding: .utf8)

    let result = try TestServices.run(
      "pvcd", ["--config", config, "--zookeeper", hosts, "--node", "hv1", "--libvirt-uri", "test:///default"])
    #expect(result.status == 1)
    #expect(result.stderr.contains("/nonexistent/watchdog"))
    #expect(try await cluster.nodes.info("hv1").daemonState == .stop, "the node must not look like it is starting")
    let fault = try await cluster.faults.fault("NODE_START_FAILED_hv1")
    #expect(fault.message.contains("could not start") && fault.message.contains("/nonexistent/watchdog"))
  }

  @Test("--check-config says what a configuration sets up, and refuses a bad one naming it")
  func checkConfig() throws {
    let good = try TestServices.run("pvcd", ["--config", Self.config, "--check-config"])
    #expect(good.status == 0, "\(good.stderr)")
    #expect(good.stdout.contains("cluster testcluster, 3 nodes"), "\(good.stdout)")
    for program in ["pvcapi", "pvcweb"] {
      let same = try TestServices.run(program, ["--config", Self.config, "--check-config"])
      #expect(same.status == 0 && same.stdout == good.stdout, "\(program): \(same.stdout) \(same.stderr)")
    }
    let sample = TestServices.root.appendingPathComponent("Scripts/debian/pvc.sample.conf").path
    let unconfigured = try TestServices.run("pvcd", ["--config", sample, "--check-config"])
    #expect(unconfigured.status == 1)
    #expect(unconfigured.stderr.contains("configures nothing yet"), "\(unconfigured.stderr)")
  }

  @Test(
    "under systemd pvcd says READY once registered, feeds systemd's watchdog and says STOPPING; it waits out a hardware watchdog left armed"
  )
  func systemdNotifications() async throws {
    let hosts = try await TestServices.chroot()
    let cluster = try await PVCCluster.connect(.zookeeper(hosts: hosts))
    defer { Task { await cluster.close() } }
    try await UpstreamSeeder(zookeeper: cluster.zookeeper!, vms: 1).seed()
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("pvcd-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    // A regular file stands in for the device; a stamp as a crashed pvcd leaves it, fed just now.
    let device = directory.appendingPathComponent("watchdog").path
    _ = FileManager.default.createFile(atPath: device, contents: nil)
    let stamp = directory.appendingPathComponent("dynamic/hv1/watchdog.armed").path
    try FileManager.default.createDirectory(
      atPath: (stamp as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
    _ = FileManager.default.createFile(atPath: stamp, contents: Data(device.utf8))
    var fencing = SimulatedNodeConfiguration.Fencing()
    fencing.watchdogDevice = device
    fencing.watchdogTimeout = 2
    let config = directory.appendingPathComponent("pvc.conf").path
    try SimulatedNodeConfiguration.text(
      nodeNet: "10.99.0", fencing: fencing, dynamicDirectory: directory.appendingPathComponent("dynamic").path
    ).write(toFile: config, atomically: true, encoding: .utf8)
    let socketPath = directory.appendingPathComponent("notify").path
    let fd = try PackagingTests.datagramSocket(at: socketPath)
    defer { close(fd) }

    let started = ContinuousClock.now
    let pvcd = try BackgroundProgram(
      "pvcd", ["--config", config, "--zookeeper", hosts, "--node", "hv1", "--libvirt-uri", "test:///default"],
      environment: ["NOTIFY_SOCKET": socketPath])
    defer { pvcd.stop() }
    var messages: [String] = []
    while !messages.contains(where: { $0.hasPrefix("READY=1") }), ContinuousClock.now - started < .seconds(30) {
      if let message = PackagingTests.receive(fd) { messages.append(message) }
    }
    let ready = ContinuousClock.now - started
    #expect(messages.contains("READY=1\nSTATUS=node hv1 registered"), "\(messages) \(pvcd.output)")
    // Keepalive 1 s and watchdog timeout 2 s: the armed watchdog is waited out for about 3 s.
    #expect(ready >= .milliseconds(2500), "ready after \(ready)")
    #expect(pvcd.output.contains("left armed"), "\(pvcd.output)")
    let running = try await eventually { try await cluster.nodes.info("hv1").daemonState == .run }
    #expect(running, "the node did not reach run after READY=1")
    var fed = false
    for _ in 0..<5 where !fed { fed = PackagingTests.receive(fd) == "WATCHDOG=1" }
    #expect(fed, "no WATCHDOG=1 after READY=1")

    // A graceful stop (the primary role handed over, bounded by the handover timeout) that is never cut short.
    let exited = pvcd.stop(within: 150)
    #expect(exited, "pvcd did not stop by itself within 150 s")
    // WATCHDOG=1 came every keepalive meanwhile: read on until STOPPING=1.
    var stopping = false
    let deadline = ContinuousClock.now + .seconds(30)
    while !stopping, ContinuousClock.now < deadline, let message = PackagingTests.receive(fd) {
      stopping = message.contains("STOPPING=1")
    }
    #expect(stopping)
    #expect(!FileManager.default.fileExists(atPath: stamp), "a clean stop disarms the watchdog and removes its stamp")
  }
}
