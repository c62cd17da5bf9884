import Foundation
import PVCKit
import Testing

@testable import PVCKitAPI

/// The `/provisioner` routes: upstream's shapes, messages and codes, and PVCKit's HTTP client giving the same
/// answers as the direct operations.
@Suite("Provisioner API")
struct ProvisionerAPITests {
  @Test("upstream's shapes: 404 for none, one-element lists, underscore keys, its messages")
  func shapes() async throws {
    let database = try await DNSTestDatabase.make()
    defer { Task { await database.drop() } }
    try await APITestHarness.with(provisionerDatabase: database.settings) { api in
      let empty = try await api.call(.get, "/provisioner/template/system")
      #expect(empty.status == 404 && empty.text.contains("No system templates found."))
      let added = try await api.call(
        .post, "/provisioner/template/system",
        [("name", "small"), ("vcpus", "2"), ("vram", "1024"), ("serial", "true"), ("vnc", "false")])
      #expect(added.status == 200 && added.text.contains(#"Added new system template \"small\"."#), "\(added.text)")
      let one = try await api.call(.get, "/provisioner/template/system/small")
      let list = try #require(one.json as? [[String: Any]])
      #expect(list.count == 1 && list[0]["vcpu_count"] as? Int == 2 && list[0]["vram_mb"] as? Int == 1024)
      #expect(list[0]["serial"] as? Bool == true && list[0].keys.contains("migration_max_downtime"))
      let all = try #require(try await api.call(.get, "/provisioner/template").json as? [String: Any])
      #expect(Set(all.keys) == ["system_templates", "network_templates", "storage_templates"])
      #expect(try await api.call(.post, "/provisioner/template/network/nets", [("mac_template", "")]).status == 200)
      #expect(try await api.call(.post, "/provisioner/template/network/nets/net/1000").status == 200)
      let nets = try await api.call(.get, "/provisioner/template/network/nets/net")
      #expect((nets.json as? [[String: Any]])?.first?["vni"] as? String == "1000", "\(nets.text)")
      #expect(try await api.call(.post, "/provisioner/template/storage", [("name", "disks")]).status == 200)
      let disk = try await api.call(
        .post, "/provisioner/template/storage/disks/disk/sda",
        [
          ("pool", "vms"), ("disk_size", "10"), ("filesystem", "ext4"), ("filesystem_arg", "-L=root"),
          ("filesystem_arg", "-m=1"), ("mountpoint", "/"),
        ])
      #expect(disk.status == 200, "\(disk.text)")
      let disks = try await api.call(.get, "/provisioner/template/storage/disks/disk/sda")
      #expect((disks.json as? [String: Any])?["filesystem_args"] as? String == "-L=root -m=1", "\(disks.text)")
      #expect(
        try await api.call(
          .post, "/provisioner/script", [("name", "noop"), ("data", "#!/bin/sh\nexit 0\n")], form: true
        )
        .status == 200)
      let profile = try await api.call(
        .post, "/provisioner/profile",
        [
          ("name", "web"), ("profile_type", "provisioner"), ("system_template", "small"), ("script", "noop"),
          ("storage_template", "disks"), ("arg", "a=1"), ("arg", "b=2"),
        ])
      #expect(profile.status == 200, "\(profile.text)")
      let shown = try #require((try await api.call(.get, "/provisioner/profile/web").json as? [[String: Any]])?.first)
      #expect(shown["type"] as? String == "provisioner" && shown["network_template"] as? String == "N/A")
      #expect(shown["arguments"] as? [String] == ["a=1", "b=2"])
      // In use: refused with the reason; hostile values: 400; unknown: 404.
      let inUse = try await api.call(.delete, "/provisioner/template/system/small")
      #expect(inUse.status == 400 && inUse.text.contains("profile web"), "\(inUse.status) \(inUse.text)")
      let hostile = try await api.call(
        .post, "/provisioner/template/system",
        [("name", "x';--"), ("vcpus", "1"), ("vram", "1"), ("serial", "true"), ("vnc", "false")])
      #expect(hostile.status == 400)
      #expect(try await api.call(.get, "/provisioner/profile/nothere").status == 404)
      #expect(try await api.call(.delete, "/provisioner/profile/web").status == 200)
      #expect(try await api.call(.delete, "/provisioner/template/system/small").status == 200)
    }
  }

  @Test("PVCKit's HTTP client gives the same answers as the direct operations")
  func sameThroughHTTP() async throws {
    let database = try await DNSTestDatabase.make()
    defer { Task { await database.drop() } }
    let hosts = try await TestServices.chroot()
    let direct = try await PVCCluster.connect(.zookeeper(hosts: hosts), provisionerDatabase: database.settings)
    try await direct.initialize()
    let server = try await APIServer(
      cluster: direct, settings: .init(port: 22816, tokens: [APITestHarness.token])
    ).start()
    let remote = try await PVCCluster.connect(
      .api(url: URL(string: "http://127.0.0.1:22816")!, key: APITestHarness.token))
    do {
      try await ProvisionerDatabaseTests.makeTemplates(remote.provisioner)
      #expect(try await remote.provisioner.templates(limit: nil) == direct.provisioner.templates(limit: nil))
      #expect(try await remote.provisioner.profile("web") == direct.provisioner.profile("web"))
      #expect(try await remote.provisioner.userdata("basic") == direct.provisioner.userdata("basic"))
      #expect(try await remote.provisioner.scripts(limit: nil) == direct.provisioner.scripts(limit: nil))
      try await remote.provisioner.modifyProfile("web", .init(arguments: []))
      #expect(try await direct.provisioner.profile("web").arguments.isEmpty)
      try await remote.provisioner.modifySystemTemplate("small", .init(vramMB: 4096, nodeLimit: []))
      #expect(try await direct.provisioner.systemTemplate("small").vramMB == 4096)
      await #expect(throws: (any Error).self) { try await remote.provisioner.removeScript("clone") }
      #expect(try await remote.provisioner.ovas(limit: nil).isEmpty)
      await #expect(throws: ProvisionerError.notFound(kind: "profile", name: "none")) {
        try await remote.provisioner.profile("none")
      }
    } catch {
      await remote.close()
      await server.stop()
      await direct.close()
      throw error
    }
    await remote.close()
    await server.stop()
    await direct.close()
  }
}
