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
}
