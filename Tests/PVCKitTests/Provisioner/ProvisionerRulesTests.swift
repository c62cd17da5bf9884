import Testing

@testable import PVCKit

/// The provisioner's checks, directly.
@Suite("Provisioner rules")
struct ProvisionerRulesTests {
  @Test("names: letters, digits, '.', '_', '-'; hostile ones refused")
  func names() throws {
    #expect(try ProvisionerRules.name("debian-12_small.v2", "profile") == "debian-12_small.v2")
    for bad in [
      "", "-x", ".x", "a b", "a/b", "a'; DROP TABLE profile; --", "caf\u{e9}", String(repeating: "a", count: 101),
    ] {
      #expect(throws: ProvisionerError.self, "\(bad)") { try ProvisionerRules.name(bad, "profile") }
    }
  }

  @Test("system templates: sizes in range, choices known, nodes named; a change needs nothing")
  func systemTemplates() throws {
    let good = SystemTemplateRequest(
      vcpus: 2, vramMB: 2048, serial: true, vnc: true, vncBind: "0.0.0.0", nodeLimit: ["hv1", "hv2"],
      nodeSelector: "MEM", migrationMethod: "Live")
    let checked = try ProvisionerRules.systemTemplate(good, new: true)
    #expect(checked.nodeSelector == "mem" && checked.migrationMethod == "live" && checked.vncBind == "0.0.0.0")
    #expect(try ProvisionerRules.systemTemplate(.init(), new: false) == .init())
    let bad: [SystemTemplateRequest] = [
      .init(vcpus: 0, vramMB: 1, serial: true, vnc: false),
      .init(vcpus: 1, vramMB: 0, serial: true, vnc: false),
      .init(vcpus: 1, vramMB: 1, serial: true, vnc: false, vncBind: "0.0.0.0"),
      .init(vcpus: 1, vramMB: 1, serial: true, vnc: true, vncBind: "; rm -rf /"),
      .init(vcpus: 1, vramMB: 1, serial: true, vnc: false, nodeLimit: ["hv1,hv2"]),
      .init(vcpus: 1, vramMB: 1, serial: true, vnc: false, nodeSelector: "fastest"),
      .init(vcpus: 1, vramMB: 1, serial: true, vnc: false, migrationMethod: "teleport"),
      .init(vcpus: 1, vramMB: 1, serial: true, vnc: false, migrationMaxDowntime: 0),
      .init(vcpus: 1, serial: true, vnc: false),  // no memory
    ]
    for request in bad {
      #expect(throws: ProvisionerError.self, "\(request)") { try ProvisionerRules.systemTemplate(request, new: true) }
    }
  }

  @Test("MAC templates, template networks, disk IDs and disks")
  func networksAndDisks() throws {
    #expect(try ProvisionerRules.macTemplate("{prefix}:ff:ff:{vmid}{netid}") == "{prefix}:ff:ff:{vmid}{netid}")
    #expect(throws: ProvisionerError.self) { try ProvisionerRules.macTemplate("{prefix}:zz:ff:00:00") }
    #expect(try ProvisionerRules.templateNetwork("0100") == "100")
    #expect(try ProvisionerRules.templateNetwork("upstream") == "upstream")
    for bad in ["0", "16777216", "-1", "x", "1e3"] {
      #expect(throws: ProvisionerError.self, "\(bad)") { try ProvisionerRules.templateNetwork(bad) }
    }
    #expect(try ProvisionerRules.diskID("sda") == "sda" && ProvisionerRules.diskID("xvdb") == "xvdb")
    for bad in ["sd", "sda1", "nvme0n1", "SDA", "sd/a"] {
      #expect(throws: ProvisionerError.self, "\(bad)") { try ProvisionerRules.diskID(bad) }
    }
    _ = try ProvisionerRules.disk(
      .init(pool: "vms", sizeGB: 10, filesystem: "ext4", filesystemArguments: ["-L=root"], mountpoint: "/"))
    _ = try ProvisionerRules.disk(.init(pool: "vms", sourceVolume: "debian-12"))
    let bad: [TemplateDiskRequest] = [
      .init(pool: "vms"),  // neither size nor source
      .init(pool: "vms", sourceVolume: "base", sizeGB: 10),
      .init(pool: "vms", sizeGB: 0),
      .init(pool: "v/ms", sizeGB: 1),
      .init(pool: "vms", sizeGB: 1, filesystem: "ntfs"),
      .init(pool: "vms", sizeGB: 1, mountpoint: "/"),  // a mountpoint needs a filesystem
      .init(pool: "vms", sizeGB: 1, filesystem: "ext4", mountpoint: "relative"),
      .init(pool: "vms", sizeGB: 1, filesystem: "ext4", mountpoint: "/a/../etc"),
      .init(pool: "vms", sizeGB: 1, filesystem: "ext4", filesystemArguments: ["; reboot"]),
      .init(pool: "vms", sizeGB: 1, filesystem: "ext4", filesystemArguments: ["-L root"]),
      .init(pool: "vms", sizeGB: 1, filesystemArguments: ["-L=x"]),
    ]
    for request in bad {
      #expect(throws: ProvisionerError.self, "\(request)") { try ProvisionerRules.disk(request) }
    }
  }

  @Test("documents, scripts and arguments")
  func documents() throws {
    #expect(try ProvisionerRules.userdata("#cloud-config\nhostname: x\n").hasPrefix("#cloud-config"))
    #expect(throws: ProvisionerError.self) { try ProvisionerRules.userdata("a\u{0}b") }
    #expect(throws: ProvisionerError.self) {
      try ProvisionerRules.userdata(String(repeating: "x", count: ProvisionerRules.maximumDocument + 1))
    }
    _ = try ProvisionerRules.script("#!/bin/sh\necho hi\n")
    #expect(throws: ProvisionerError.self) { try ProvisionerRules.script("class VMBuilderScript(VMBuilder): pass") }
    #expect(
      try ProvisionerRules.arguments(["", "size=10G", "user_name=admin x"]) == ["size=10G", "user_name=admin x"])
    for bad in [["novalue"], ["=x"], ["a|b=c"], ["k=a|b"], ["bad key=x"], ["k=\u{7}"]] {
      #expect(throws: ProvisionerError.self, "\(bad)") { try ProvisionerRules.arguments(bad) }
    }
  }
}
