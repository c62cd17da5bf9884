import Foundation
import Testing

@testable import PVCKit

/// The provisioner's objects in the real Galera, directly and through the HTTP API (the same answers).
@Suite("Provisioner objects")
struct ProvisionerDatabaseTests {
  /// Runs `body` with direct provisioner operations over a fresh database.
  static func withProvisioner(_ body: (any ProvisionerOperations, DNSTestDatabase) async throws -> Void)
    async throws
  {
    let database = try await DNSTestDatabase.make()
    let link = ProvisionerLink(database.settings)
    do {
      try await body(DirectProvisionerOperations(link: link), database)
    } catch {
      await link.close()
      await database.drop()
      throw error
    }
    await link.close()
    await database.drop()
  }

  /// The objects a typical profile uses.
  static func makeTemplates(_ provisioner: any ProvisionerOperations) async throws {
    try await provisioner.addSystemTemplate(
      "small", .init(vcpus: 2, vramMB: 1024, serial: true, vnc: false, nodeLimit: ["hv1"], migrationMethod: "live"))
    try await provisioner.addNetworkTemplate("two-nets", macTemplate: "{prefix}:ff:ff:{vmid}{netid}")
    try await provisioner.addTemplateNetwork("two-nets", vni: "100", permitDuplicate: false)
    try await provisioner.addTemplateNetwork("two-nets", vni: "cluster", permitDuplicate: false)
    try await provisioner.addStorageTemplate("root-and-data")
    try await provisioner.addTemplateDisk("root-and-data", diskID: "sda", .init(pool: "vms", sourceVolume: "debian-12"))
    try await provisioner.addTemplateDisk(
      "root-and-data", diskID: "sdb",
      .init(pool: "vms", sizeGB: 20, filesystem: "ext4", filesystemArguments: ["-L=data", "-m=0"], mountpoint: "/srv"))
    try await provisioner.addUserdata("basic", data: "#cloud-config\nhostname: {name}\n")
    try await provisioner.addScript("clone", data: "#!/bin/sh\nexit 0\n")
    try await provisioner.addProfile(
      "web",
      .init(
        type: .provisioner, systemTemplate: "small", networkTemplate: "two-nets", storageTemplate: "root-and-data",
        userdata: "basic", script: "clone", arguments: ["size=20G"]))
  }

  @Test("templates, documents and profiles: add, show, list, change; removal refused while a profile uses them")
  func lifecycle() async throws {
    try await Self.withProvisioner { provisioner, _ in
      try await Self.makeTemplates(provisioner)
      let system = try await provisioner.systemTemplate("small")
      #expect(system.vcpuCount == 2 && system.vramMB == 1024 && system.serial && !system.vnc)
      #expect(system.nodeLimit == "hv1" && system.migrationMethod == "live" && system.migrationMaxDowntime == 300)
      try await provisioner.modifySystemTemplate("small", .init(vcpus: 4, nodeLimit: [], nodeSelector: "load"))
      let changed = try await provisioner.systemTemplate("small")
      #expect(
        changed.vcpuCount == 4 && changed.vramMB == 1024 && changed.nodeLimit == nil && changed.nodeSelector == "load")
      let network = try await provisioner.networkTemplate("two-nets")
      #expect(network.networks.map(\.vni) == ["100", "cluster"])
      await #expect(throws: ProvisionerError.self) {
        try await provisioner.addTemplateNetwork("two-nets", vni: "100", permitDuplicate: false)
      }
      try await provisioner.addTemplateNetwork("two-nets", vni: "100", permitDuplicate: true)
      try await provisioner.removeTemplateNetwork("two-nets", vni: "100")
      #expect(try await provisioner.networkTemplate("two-nets").networks.map(\.vni) == ["100", "cluster"])
      let storage = try await provisioner.storageTemplate("root-and-data")
      #expect(storage.disks.map(\.diskID) == ["sda", "sdb"])
      #expect(storage.disks[0].sourceVolume == "debian-12" && storage.disks[0].diskSizeGB == nil)
      #expect(storage.disks[1].filesystemArgs == "-L=data -m=0" && storage.disks[1].mountpoint == "/srv")
      await #expect(throws: ProvisionerError.exists(kind: "disk in storage template root-and-data", name: "sda")) {
        try await provisioner.addTemplateDisk("root-and-data", diskID: "sda", .init(pool: "vms", sizeGB: 1))
      }
      let all = try await provisioner.templates(limit: nil)
      #expect(all.systemTemplates.count == 1 && all.networkTemplates.count == 1 && all.storageTemplates.count == 1)
      #expect(try await provisioner.systemTemplates(limit: "^sm").count == 1)
      #expect(try await provisioner.systemTemplates(limit: "^mall").isEmpty)

      let profile = try await provisioner.profile("web")
      #expect(
        profile.type == .provisioner && profile.systemTemplate == "small" && profile.networkTemplate == "two-nets"
          && profile.userdata == "basic" && profile.script == "clone" && profile.ova == VMProfile.none
          && profile.arguments == ["size=20G"])
      // In use: refused, naming the profile; nothing goes.
      for removal in [
        { try await provisioner.removeSystemTemplate("small") },
        { try await provisioner.removeNetworkTemplate("two-nets") },
        { try await provisioner.removeStorageTemplate("root-and-data") },
        { try await provisioner.removeUserdata("basic") },
        { try await provisioner.removeScript("clone") },
      ] as [() async throws -> Void] {
        do {
          try await removal()
          Issue.record("a removal of something a profile uses went through")
        } catch let error as ProvisionerError {
          #expect(error.description.contains("profile web"), "\(error)")
          #expect(error.kind == .refused)
        }
      }
      #expect(try await provisioner.userdata("basic").userdata.hasPrefix("#cloud-config"))
      // A change of references and arguments; unknown names refused.
      try await provisioner.addUserdata("other", data: "#cloud-config\n")
      try await provisioner.modifyProfile("web", .init(userdata: "other", arguments: []))
      let modified = try await provisioner.profile("web")
      #expect(modified.userdata == "other" && modified.arguments.isEmpty)
      await #expect(throws: ProvisionerError.notFound(kind: "system template", name: "huge")) {
        try await provisioner.modifyProfile("web", .init(systemTemplate: "huge"))
      }
      try await provisioner.modifyProfile("web", .init(networkTemplate: ""))
      #expect(try await provisioner.profile("web").networkTemplate == VMProfile.none)
      await #expect(throws: ProvisionerError.exists(kind: "profile", name: "web")) {
        try await provisioner.addProfile("web", .init(type: .provisioner, systemTemplate: "small", script: "clone"))
      }
      await #expect(throws: ProvisionerError.self) {
        try await provisioner.addProfile("no-script", .init(type: .provisioner, systemTemplate: "small"))
      }
      await #expect(throws: ProvisionerError.notFound(kind: "script", name: "nope")) {
        try await provisioner.addProfile("bad", .init(type: .provisioner, systemTemplate: "small", script: "nope"))
      }
      // The profile goes, then what it used can go.
      try await provisioner.removeProfile("web")
      try await provisioner.removeSystemTemplate("small")
      try await provisioner.removeNetworkTemplate("two-nets")
      try await provisioner.removeStorageTemplate("root-and-data")
      try await provisioner.removeUserdata("basic")
      try await provisioner.removeScript("clone")
      #expect(try await provisioner.templates(limit: nil).isEmpty)
      await #expect(throws: ProvisionerError.notFound(kind: "script", name: "clone")) {
        try await provisioner.removeScript("clone")
      }
    }
  }

  @Test("hostile names and values are refused with nothing written")
  func refusals() async throws {
    try await Self.withProvisioner { provisioner, database in
      let attempts: [() async throws -> Void] = [
        {
          try await provisioner.addSystemTemplate(
            "x'; DROP TABLE profile; --", .init(vcpus: 1, vramMB: 1, serial: true, vnc: false))
        },
        { try await provisioner.addSystemTemplate("big", .init(vcpus: 100_000, vramMB: 1, serial: true, vnc: false)) },
        { try await provisioner.addNetworkTemplate("n", macTemplate: "$(reboot)") },
        { try await provisioner.addUserdata("u", data: "\u{0}") },
        { try await provisioner.addScript("s", data: "import os") },
        { try await provisioner.addStorageTemplate("../etc") },
      ]
      for attempt in attempts {
        await #expect(throws: ProvisionerError.self) { try await attempt() }
      }
      #expect(try await provisioner.templates(limit: nil).isEmpty)
      let documents = try await provisioner.userdata(limit: nil).count + provisioner.scripts(limit: nil).count
      #expect(documents == 0)
      _ = database
    }
  }

  @Test("no database: a clear error naming the setting")
  func noDatabase() async throws {
    let provisioner = DirectProvisionerOperations(link: ProvisionerLink(nil))
    await #expect(throws: ProvisionerError.noDatabase) { try await provisioner.profiles(limit: nil) }
  }
}
