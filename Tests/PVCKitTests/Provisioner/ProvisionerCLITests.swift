import Foundation
import PVCKit
import Testing

#if canImport(FoundationNetworking)
  import FoundationNetworking
#endif

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

extension ProvisionerCLITests {
  @Test(
    "OVA images uploaded with the CLI and as upstream's multipart form; broken archives refused, nothing left; removal takes the volumes"
  )
  func ova() async throws {
    let database = try await DNSTestDatabase.make()
    defer { Task { await database.drop() } }
    let tag = UUID().uuidString.prefix(6).lowercased()
    let image = try OVATestImage.make(tag: "cli-\(tag)")
    defer { image.remove() }
    try await PVCTransportTests.withConnections(port: 22818, ceph: true, provisionerDatabase: database.settings) {
      pvc, cluster in
      let poolName = "ova-\(tag)"
      try await cluster.storage.addPool(poolName, pgs: 8, replication: "copies=2,mincopies=1", tier: "default")
      let rados = try await RadosConnection.connect(configurationFile: TestServices.cephConfiguration)
      let pool = try RBDPool(rados, pool: poolName)
      // Through the API with the CLI (a direct `pvc` needs pvc.conf's database; the create test uploads directly).
      for connection in ["api"] {
        func run(_ arguments: [String]) async throws -> CommandResult {
          try await pvc(["-c", connection, "provisioner"] + arguments)
        }
        let name = "app-\(connection)"
        let uploaded = try await run(["ova", "upload", name, image.archive.path, "-p", poolName])
        #expect(uploaded.status == 0, "\(connection): \(uploaded.stderr)")
        // The disk, converted from the stream-optimised VMDK inside the archive: its bytes, its capacity in GiB.
        #expect(try await pool.read("ova_\(name)_sda", at: 0, count: image.marker.count) == image.marker)
        #expect(try await pool.info("ova_\(name)_sda").size == 1 << 30)
        #expect(!(try await pool.list().contains("ova_\(name)_upload")), "the temporary image is removed")
        let ova = try await cluster.provisioner.ova(name)
        #expect(ova.volumes.map(\.diskID) == ["sda"] && ova.volumes.first?.diskSizeGB == 1)
        let profile = try await cluster.provisioner.profile(name)
        #expect(profile.type == .ova && profile.systemTemplate == name && profile.ova == name)
        let system = try await cluster.provisioner.systemTemplate(name)
        #expect(system.vcpuCount == 1 && system.vramMB == 64 && system.serial)
        #expect(try await run(["ova", "list", "-f", "json"]).stdout.contains("ova_\(name)_sda"))
        let again = try await run(["ova", "upload", name, image.archive.path, "-p", poolName])
        #expect(again.status != 0 && again.stderr.contains("exists"), "\(again.stderr)")
        let removed = try await run(["ova", "remove", name, "-y"])
        #expect(removed.status == 0, "\(removed.stderr)")
        #expect(!(try await pool.list().contains("ova_\(name)_sda")))
        await #expect(throws: ProvisionerError.self) { try await cluster.provisioner.profile(name) }
      }

      // Upstream's client: a multipart form, the pool, name and size in the query string.
      let archive = try Data(contentsOf: image.archive)
      let boundary = "pvckit-\(UUID().uuidString)"
      var body = Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.ova\"\r\n".utf8)
      body += Data("Content-Type: application/octet-stream\r\n\r\n".utf8) + archive
      body += Data("\r\n--\(boundary)--\r\n".utf8)
      var request = URLRequest(
        url: URL(
          string:
            "http://127.0.0.1:22818/api/v1/provisioner/ova?pool=\(poolName)&name=multi&ova_size=\(archive.count)")!)
      request.httpMethod = "POST"
      request.setValue("multipart/form-data; boundary=\(boundary)", forHTTPHeaderField: "Content-Type")
      request.setValue(APITestHarness.token, forHTTPHeaderField: "X-Api-Key")
      let (answer, response) = try await URLSession.shared.upload(for: request, from: body)
      #expect((response as? HTTPURLResponse)?.statusCode == 200, "\(String(decoding: answer, as: UTF8.self))")
      #expect(try await pool.read("ova_multi_sda", at: 0, count: image.marker.count) == image.marker)

      // Refused, with nothing left behind: not an archive, a hostile descriptor, an unknown pool, a bad name.
      let hostile = try OVATestImage.make(
        tag: "hostile-\(tag)",
        descriptor: "<!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/shadow\">]>" + OVATestImage.descriptor())
      defer { hostile.remove() }
      let noise = image.directory.appendingPathComponent("noise.ova")
      try Data((0..<100_000).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ 3) }).write(to: noise)
      for (arguments, why) in [
        (["bad", noise.path, "-p", poolName], "not a tar"),
        (["bad", hostile.archive.path, "-p", poolName], "DOCTYPE"),
        (["bad", image.archive.path, "-p", "nopool-\(tag)"], "nopool"),
        (["bad name", image.archive.path, "-p", poolName], "name"),
      ] {
        let refused = try await pvc(["-c", "api", "provisioner", "ova", "upload"] + arguments)
        #expect(refused.status != 0 && refused.stderr.contains(why), "\(arguments): \(refused.stderr)")
      }
      let left = try await pool.list().filter { $0.hasPrefix("ova_bad") }
      #expect(left.isEmpty, "\(left)")
      await #expect(throws: ProvisionerError.self) { try await cluster.provisioner.ova("bad") }
      try await cluster.provisioner.removeOVA("multi")
      try await cluster.storage.removePool(poolName)
    }
  }
}
