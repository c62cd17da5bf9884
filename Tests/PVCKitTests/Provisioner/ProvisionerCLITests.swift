import Foundation
import PVCKit
import Testing

/// `pvc provisioner ...` through the API, against the real Galera.
@Suite("pvc provisioner")
struct ProvisionerCLITests {
  @Test("templates, documents and profiles from the command line; refusals with their exit status")
  func commands() async throws {
    let database = try await DNSTestDatabase.make()
    defer { Task { await database.drop() } }
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("pvc-prov-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let userdata = directory.appendingPathComponent("user-data").path
    try "#cloud-config\nhostname: web\n".write(toFile: userdata, atomically: true, encoding: .utf8)
    let script = directory.appendingPathComponent("noop.sh").path
    try "#!/bin/sh\nexit 0\n".write(toFile: script, atomically: true, encoding: .utf8)
    let python = directory.appendingPathComponent("upstream.py").path
    try "class VMBuilderScript(VMBuilder):\n    pass\n".write(toFile: python, atomically: true, encoding: .utf8)
    try await PVCTransportTests.withConnections(port: 22817, provisionerDatabase: database.settings) { pvc, _ in
      func ok(_ arguments: [String]) async throws -> String {
        let result = try await pvc(["-c", "api", "provisioner"] + arguments)
        #expect(result.status == 0, "\(arguments): \(result.stderr)")
        return result.stdout
      }
      _ = try await ok(["template", "system", "add", "small", "-u", "2", "-m", "1024", "-s", "--node-limit", "hv1,hv2"])
      _ = try await ok(["template", "network", "add", "nets", "-m", "{prefix}:ff:ff:{vmid}{netid}"])
      _ = try await ok(["template", "network", "vni", "add", "nets", "100"])
      _ = try await ok(["template", "storage", "add", "disks"])
      _ = try await ok(
        [
          "template", "storage", "disk", "add", "disks", "sda", "-p", "vms", "-s", "10", "-f", "ext4", "--fsarg",
          "-L=root", "-m", "/",
        ])
      _ = try await ok(["userdata", "add", "basic", userdata])
      _ = try await ok(["script", "add", "noop", script])
      _ = try await ok(
        [
          "profile", "add", "web", "-s", "small", "-n", "nets", "-t", "disks", "-u", "basic", "-x", "noop", "-a",
          "size=1",
        ])
      let profiles = try JSONDecoder().decode(
        [VMProfile].self, from: Data(try await ok(["profile", "list", "-f", "json"]).utf8))
      #expect(profiles.map(\.name) == ["web"] && profiles.first?.arguments == ["size=1"])
      let systems = try JSONDecoder().decode(
        [SystemTemplate].self, from: Data(try await ok(["template", "system", "list", "-f", "json"]).utf8))
      #expect(systems.first?.serial == true && systems.first?.nodeLimit == "hv1,hv2")
      #expect(try await ok(["userdata", "show", "basic"]).contains("hostname: web"))
      #expect(try await ok(["template", "storage", "list"]).contains("sda: 10 GB in vms, ext4 at /"))
      _ = try await ok(["profile", "modify", "web", "-d"])
      #expect(try await direct(pvc, ["profile", "list", "web", "-f", "json"]).contains("\"arguments\":[]"))
      // Refusals: an upstream Python class is not an executable; a template in use; an unknown profile.
      let python = try await pvc(["-c", "api", "provisioner", "script", "add", "py", python])
      #expect(
        python.status == ErrorKind.invalid.exitCode && python.stderr.contains("interpreter line"), "\(python.stderr)")
      let inUse = try await pvc(["-c", "api", "provisioner", "template", "system", "remove", "small", "--yes"])
      #expect(inUse.status == ErrorKind.refused.exitCode && inUse.stderr.contains("profile web"), "\(inUse.stderr)")
      let unknown = try await pvc(["-c", "api", "provisioner", "create", "vm1", "nothing", "--no-wait"])
      #expect(unknown.status == ErrorKind.notFound.exitCode && unknown.stderr.contains("nothing"), "\(unknown.stderr)")
      let none = try await pvc(["-c", "api", "provisioner", "profile", "list", "nothing"])
      #expect(none.status == ErrorKind.notFound.exitCode)
      _ = try await ok(["profile", "remove", "web", "--yes"])
      _ = try await ok(["template", "system", "remove", "small", "--yes"])
      // A direct connection without the provisioner's database says what to configure.
      let zk = try await pvc(["-c", "zk", "provisioner", "profile", "list"])
      #expect(zk.status == ErrorKind.unavailable.exitCode && zk.stderr.contains("database.mariadb.api"), "\(zk.stderr)")
    }
  }

  /// A command's output (through the API).
  func direct(_ pvc: @Sendable ([String]) async throws -> CommandResult, _ arguments: [String]) async throws -> String {
    try await pvc(["-c", "api", "provisioner"] + arguments).stdout
  }
}
