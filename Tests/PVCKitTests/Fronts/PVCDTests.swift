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
}
