import Foundation
import PVCKit
import PVCKitFixtures
import Testing

/// The built `pvc` binary against a real ZooKeeper.
@Suite("pvc command")
struct PVCCommandTests {
  func pvc(_ arguments: String..., hosts: String? = nil, stdin: String? = nil) throws -> CommandResult {
    try TestServices.run("pvc", arguments, environment: hosts.map { ["PVC_ZOOKEEPER": $0] } ?? [:], stdin: stdin)
  }

  @Test("--version and --help")
  func versionAndHelp() throws {
    let version = try pvc("--version")
    #expect(version.status == 0)
    #expect(version.stdout.contains("(PVCKit) \(PVCKitVersion.string)"))
    let help = try pvc("cluster", "--help")
    #expect(help.status == 0)
    for command in ["status", "init", "maintenance", "backup", "restore"] { #expect(help.stdout.contains(command)) }
  }

  @Test("init, status, maintenance, backup and restore through the binary")
  func clusterLifecycle() async throws {
    let hosts = try await TestServices.chroot()

    let refused = try pvc("cluster", "init", hosts: hosts)
    #expect(refused.status == ErrorKind.refused.exitCode)
    #expect(refused.stderr.contains("--yes"))

    let initialized = try pvc("--zookeeper", hosts, "cluster", "init", "--yes")
    #expect(initialized.status == 0, "\(initialized.stderr)")
    #expect(initialized.stdout == "Successfully initialized cluster\n")

    let again = try pvc("cluster", "init", "-y", hosts: hosts)
    #expect(again.status == ErrorKind.refused.exitCode)
    #expect(again.stderr.contains("already contains data"))

    // Seed an upstream-layout cluster, then look at it through the CLI.
    let zk = try await ZooKeeper.connect(to: hosts)
    try await UpstreamSeeder(zookeeper: zk, vms: 9).seed()
    await zk.close()
    let pretty = try pvc("cluster", "status", hosts: hosts)
    #expect(pretty.status == 0)
    #expect(pretty.stdout.contains("Cluster pvc-test: health 100%"))
    #expect(pretty.stdout.contains("3 total (run,ready 3)"))
    #expect(pretty.stdout.contains("9 total (start 9)"))
    #expect(!pretty.stdout.contains("\u{1B}["), "colour codes written to a pipe")

    let json = try pvc("cluster", "status", "-f", "json", "--zookeeper", hosts)
    let status = try UpstreamJSON.decoder.decode(ClusterStatus.self, from: Data(json.stdout.utf8))
    #expect(status.vms["total"] == 9)
    #expect(status.primaryNode == "hv1")

    #expect(
      try pvc("cluster", "maintenance", "on", hosts: hosts).stdout == "Successfully set cluster in maintenance mode\n")
    #expect(try pvc("cluster", "maintenance", "on", hosts: hosts).stdout == "Cluster is already in maintenance mode\n")
    #expect(try pvc("cluster", "status", "-f", "short", hosts: hosts).stdout.contains("(maintenance mode)"))
    #expect(
      try pvc("cluster", "maintenance", "off", hosts: hosts).stdout == "Successfully set cluster in normal mode\n")

    let file = FileManager.default.temporaryDirectory.appendingPathComponent("pvc-backup-\(UUID().uuidString).json")
      .path
    defer { try? FileManager.default.removeItem(atPath: file) }
    #expect(try pvc("cluster", "backup", "-f", file, hosts: hosts).status == 0)
    let saved = try ClusterBackup(json: try Data(contentsOf: URL(fileURLWithPath: file)))
    #expect(saved.entries["/nodes/hv2/daemonstate"] == "run")

    _ = try pvc("cluster", "maintenance", "on", hosts: hosts)
    let restored = try pvc("cluster", "restore", "--filename", file, "--yes", hosts: hosts)
    #expect(restored.status == 0, "\(restored.stderr)")
    #expect(restored.stdout == "Restore completed successfully.\n")
    #expect(try pvc("cluster", "status", "-f", "short", hosts: hosts).stdout.contains("(maintenance mode)") == false)

    let stdoutBackup = try pvc("cluster", "backup", hosts: hosts)
    #expect(try ClusterBackup(json: Data(stdoutBackup.stdout.utf8)) == saved)
  }

  @Test("bad arguments and unreachable clusters give errors, not crashes")
  func errors() async throws {
    let usage = try pvc("cluster", "status", "-f", "yaml")
    #expect(usage.status == 64)
    #expect(usage.stderr.contains("yaml"))

    let unknown = try pvc("cluster", "frobnicate")
    #expect(unknown.status == 64)

    let nowhere = try pvc("cluster", "status")
    #expect(nowhere.status == ErrorKind.invalid.exitCode)
    #expect(nowhere.stderr.contains("/nonexistent/pvc.conf: cannot read the file"))

    let unreachable = try pvc("cluster", "status", hosts: "127.0.0.1:1")
    #expect(unreachable.status == ErrorKind.unavailable.exitCode)
    #expect(unreachable.stderr.contains("cannot reach ZooKeeper at 127.0.0.1:1"))

    let badConfig = try TestServices.run("pvc", ["--config", "/etc/hostname", "cluster", "status"])
    #expect(badConfig.status == ErrorKind.invalid.exitCode)
    #expect(badConfig.stderr.contains("/etc/hostname"))

    let hosts = try await TestServices.chroot()
    #expect(try pvc("cluster", "init", "-y", hosts: hosts).status == 0)
    let missingFile = try pvc("cluster", "restore", "-f", "/nonexistent.json", "-y", hosts: hosts)
    #expect(missingFile.status == ErrorKind.invalid.exitCode)
    #expect(missingFile.stderr.contains("cannot read /nonexistent.json"))

    let garbage = FileManager.default.temporaryDirectory.appendingPathComponent("garbage-\(UUID().uuidString).json")
      .path
    _ = FileManager.default.createFile(atPath: garbage, contents: Data("{\"/a\": 1}".utf8))
    defer { try? FileManager.default.removeItem(atPath: garbage) }
    let invalid = try pvc("cluster", "restore", "-f", garbage, "-y", hosts: hosts)
    #expect(invalid.status == ErrorKind.invalid.exitCode)
    #expect(invalid.stderr.contains("invalid backup: the value of /a is not a string"))
  }

  @Test("cluster fault list, ack, ack-all, delete and delete-all")
  func faults() async throws {
    let hosts = try await TestServices.chroot()
    #expect(try pvc("cluster", "init", "-y", hosts: hosts).status == 0)
    #expect(try pvc("cluster", "fault", "list", hosts: hosts).stdout == "No faults found.\n")
    let cluster = try await PVCCluster.connect(.zookeeper(hosts: hosts))
    defer { Task { await cluster.close() } }
    try await cluster.faults.report([
      FaultReport(id: "DEAD_NODE_hv3", healthDelta: 50, message: "Node hv3 is dead"),
      FaultReport(id: "VM_FAILED_web", healthDelta: 10, message: "VM web failed"),
    ])
    let list = try pvc("cluster", "fault", "list", hosts: hosts)
    #expect(list.stdout.contains("DEAD_NODE_hv3") && list.stdout.contains("-50%"))
    let long = try pvc("cluster", "fault", "list", "-f", "long", hosts: hosts)
    #expect(long.stdout.contains("First Reported") && long.stdout.contains("N/A"))
    let one = try pvc("cluster", "fault", "list", "VM_FAILED_web", "-f", "json", hosts: hosts)
    let faults = try UpstreamJSON.decoder.decode([Fault].self, from: Data(one.stdout.utf8))
    #expect(faults.map(\.id) == ["VM_FAILED_web"] && faults[0].healthDelta == 10)

    #expect(
      try pvc("cluster", "fault", "ack", "DEAD_NODE_hv3", hosts: hosts).stdout == "Acknowledged fault DEAD_NODE_hv3.\n")
    #expect(try pvc("cluster", "status", hosts: hosts).stdout.contains("health 90%"))
    let missing = try pvc("cluster", "fault", "delete", "NOPE", hosts: hosts)
    #expect(
      missing.status == ErrorKind.notFound.exitCode && missing.stderr.contains("no fault with ID \"NOPE\" exists"))
    // delete-all needs --yes.
    #expect(try pvc("cluster", "fault", "delete-all", hosts: hosts).status == ErrorKind.refused.exitCode)
    #expect(try pvc("cluster", "fault", "ack-all", "-y", hosts: hosts).status == 0)
    #expect(try pvc("cluster", "status", hosts: hosts).stdout.contains("health 100%"))
    #expect(try pvc("cluster", "fault", "delete-all", "-y", hosts: hosts).status == 0)
    #expect(try await cluster.faults.list().isEmpty)
  }
}
