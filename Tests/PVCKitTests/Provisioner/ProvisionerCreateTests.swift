import Foundation
import PVCKitFixtures
import Testing

@testable import PVCKit

/// `provisioner.create` on the simulated cluster with the real Ceph and Galera: a VM made from a profile (its
/// disk a copy of a base image, a new data disk), the script's five phases given the VM's data, the VM started;
/// a failing phase undoes the definition and the volumes. Phase 2 of `make test`: copying volumes and starting VMs
/// is heavy on these two cores, and the other phase-1 tests have timings of their own.
@Suite("Provisioner create", .serialized)
struct ProvisionerCreateTests {
  /// A script that keeps each phase's input in the directory its `out` argument names, and fails the phase
  /// its `fail` argument names.
  static let script = """
    #!/usr/bin/env python3
    import json, os, sys
    data = json.load(sys.stdin)
    arguments = data["vm"]["arguments"]
    with open(os.path.join(arguments["out"], sys.argv[1] + ".json"), "w") as f:
        json.dump(data, f)
    if arguments.get("fail") == sys.argv[1]:
        print("this phase fails on purpose", file=sys.stderr)
        sys.exit(3)
    if arguments.get("sleep") == sys.argv[1]:
        import time
        time.sleep(300)
    """

  @Test("a VM from a profile: disks copied and made, every phase run with the VM's data, started; a failure undoes it")
  func create() async throws {
    let database = try await DNSTestDatabase.make()
    defer { Task { await database.drop() } }
    let configuration = SimulatedNodeConfiguration.text(
      nodeNet: NodeCluster.nodeNet, ceph: TestServices.cephConfiguration,
      dns: .init(
        hosts: database.settings.hosts, database: database.name, username: database.settings.user,
        password: database.settings.password, powerDNSPort: 25_754, metadataPort: 28_182),
      // Its PowerDNS (the provisioner's database comes with the DNS one) in a directory of its own: the DNS cluster
      // tests run beside it on the same nodes.
      dynamicDirectory: "/tmp/pvckit-dynamic-provision")
    try await NodeCluster.with(configuration: configuration) { nodes in
      let cluster = try await PVCCluster.connect(
        .zookeeper(hosts: nodes.hosts), ceph: CephAccess(configurationFile: TestServices.cephConfiguration),
        provisionerDatabase: database.settings)
      let tag = UUID().uuidString.prefix(6).lowercased()
      // A pool of the test's own, recorded by PVC (the create checks the cluster's pools).
      let poolName = "pv-\(tag)"
      #expect(try await eventually(timeout: .seconds(20)) { try await cluster.nodes.primary() != nil })
      try await cluster.storage.addPool(poolName, pgs: 8, replication: "copies=2,mincopies=1", tier: "default")
      let rados = try await RadosConnection.connect(configurationFile: TestServices.cephConfiguration)
      let pool = try RBDPool(rados, pool: poolName)
      let base = "base-\(tag)"
      try await cluster.storage.addVolume(base, pool: poolName, size: "64M", force: true)
      let marker = Array("PVCKit base image \(tag)".utf8) + [UInt8](repeating: 0xA5, count: 4000)
      try await pool.write(base, at: 0, marker)
      let out = FileManager.default.temporaryDirectory.appendingPathComponent("prov-\(tag)")
      try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
      defer { try? FileManager.default.removeItem(at: out) }
      do {
        let provisioner = cluster.provisioner
        try await provisioner.addSystemTemplate("tiny", .init(vcpus: 1, vramMB: 64, serial: true, vnc: false))
        try await provisioner.addStorageTemplate("disks")
        try await provisioner.addTemplateDisk("disks", diskID: "sda", .init(pool: poolName, sourceVolume: base))
        try await provisioner.addTemplateDisk("disks", diskID: "sdb", .init(pool: poolName, sizeGB: 1))
        try await provisioner.addUserdata("basic", data: "#cloud-config\nhostname: made\n")
        try await provisioner.addScript("record", data: Self.script)
        try await provisioner.addProfile(
          "tiny-vm",
          .init(
            type: .provisioner, systemTemplate: "tiny", storageTemplate: "disks", userdata: "basic",
            script: "record", arguments: ["out=\(out.path)"]))

        // A create that succeeds.
        let name = "prov-\(tag)"
        let task = try await provisioner.create(.init(name: name, profile: "tiny-vm", arguments: ["extra=1"]))
        let primary = try await cluster.nodes.primary()
        #expect(task.name == "provisioner.create" && task.runOn == primary)
        let done = try await cluster.tasks.wait(for: task.id, timeout: .seconds(180))
        #expect(done.state == .success, "\(done.status)")
        #expect(done.current == 11 && done.total == 11)
        for phase in ProvisionerScriptRunner.phases {
          #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("\(phase).json").path), "\(phase)")
        }
        let install =
          try JSONSerialization.jsonObject(
            with: Data(contentsOf: out.appendingPathComponent("install.json"))) as? [String: Any]
        let vm = install?["vm"] as? [String: Any]
        #expect(install?["phase"] as? String == "install" && (install?["xml"] as? String)?.contains("<domain") == true)
        #expect(vm?["name"] as? String == name && vm?["userdata"] as? String == "#cloud-config\nhostname: made\n")
        #expect((vm?["arguments"] as? [String: String]) == ["out": out.path, "extra": "1"])
        // The disks: a copy of the base image, and a new 1 GiB volume.
        #expect(try await pool.read("\(name)_sda", at: 0, count: marker.count) == marker)
        #expect(try await pool.info("\(name)_sdb").size == 1 << 30)
        // The VM runs, with its profile recorded.
        let info = try await cluster.vms.info(name)
        #expect(info.profile == "tiny-vm")
        #expect(try await eventually(timeout: .seconds(60)) { try await cluster.vms.info(name).state == .start })
        #expect(try await eventually(timeout: .seconds(30)) { !SimulatedNodes.hosts(of: info.uuid).isEmpty })

        // A create whose install phase fails: nothing is left behind, the reason is given.
        let failing = "prov-fail-\(tag)"
        let failed = try await cluster.tasks.wait(
          for: try await provisioner.create(.init(name: failing, profile: "tiny-vm", arguments: ["fail=install"])).id,
          timeout: .seconds(180))
        #expect(failed.state == .failure && failed.status.contains("install phase failed"), "\(failed.status)")
        #expect(failed.status.contains("fails on purpose"))
        await #expect(throws: VMError.self) { try await cluster.vms.info(failing) }
        let leftSDA = try? await pool.info("\(failing)_sda")
        let leftSDB = try? await pool.info("\(failing)_sdb")
        #expect(leftSDA == nil && leftSDB == nil, "the failed create's volumes are removed")

        // Refused before anything is queued: a bad name, an unknown profile, a name in use.
        await #expect(throws: (any Error).self) {
          try await provisioner.create(.init(name: "bad name", profile: "tiny-vm"))
        }
        await #expect(throws: ProvisionerError.notFound(kind: "profile", name: "nope")) {
          try await provisioner.create(.init(name: "x1", profile: "nope"))
        }
        let twice = try await cluster.tasks.wait(
          for: try await provisioner.create(.init(name: name, profile: "tiny-vm")).id, timeout: .seconds(60))
        #expect(twice.state == .failure && twice.status.contains("already exists"), "\(twice.status)")

        try await cluster.vms.remove(name, deleteDisks: true)

        // The shipped example script that points cloud-init at the metadata service: its definition is used.
        let example = try String(
          contentsOf: TestServices.root.appendingPathComponent("Examples/provisioner-scripts/clone-cloud-init.sh"),
          encoding: .utf8)
        try await provisioner.addScript("clone-cloud-init", data: example)
        try await provisioner.addProfile(
          "cloud",
          .init(type: .provisioner, systemTemplate: "tiny", storageTemplate: "disks", script: "clone-cloud-init"))
        let cloud = "prov-cloud-\(tag)"
        let made = try await cluster.tasks.wait(
          for: try await provisioner.create(.init(name: cloud, profile: "cloud", start: false)).id,
          timeout: .seconds(180))
        #expect(made.state == .success, "\(made.status)")
        let definition = try await cluster.vms.info(cloud).xml
        #expect(definition.contains("Amazon EC2") && definition.contains("smbios"), "\(definition)")
        #expect(try await cluster.vms.info(cloud).state == .stop)
        try await cluster.vms.remove(cloud, deleteDisks: true)

        try await Self.ovaAndCancel(cluster, pool: poolName, tag: tag, out: out)
      } catch {
        try? await cluster.storage.removePool(poolName)
        await cluster.close()
        throw error
      }
      try await cluster.storage.removePool(poolName)
      await cluster.close()
    }
  }
}

extension ProvisionerCreateTests {
  /// An OVA made by the test becomes a profile and a VM (with the shipped OVA example script); a create cancelled
  /// while its script runs is stopped at once and leaves nothing behind.
  static func ovaAndCancel(_ cluster: PVCCluster, pool poolName: String, tag: String, out: URL) async throws {
    let provisioner = cluster.provisioner
    let rados = try await RadosConnection.connect(configurationFile: TestServices.cephConfiguration)
    let pool = try RBDPool(rados, pool: poolName)
    let example = try String(
      contentsOf: TestServices.root.appendingPathComponent("Examples/provisioner-scripts/ova-install.sh"),
      encoding: .utf8)
    try await provisioner.addScript("ova", data: example)
    let image = try OVATestImage.make(tag: "create-\(tag)")
    defer { image.remove() }
    let appliance = "appliance-\(tag)"
    try await provisioner.uploadOVA(appliance, pool: poolName, size: image.size, from: .file(image.archive.path))
    let profile = try await provisioner.profile(appliance)
    #expect(profile.type == .ova && profile.script == "ova" && profile.ova == appliance)
    let vm = "prov-ova-\(tag)"
    let made = try await cluster.tasks.wait(
      for: try await provisioner.create(.init(name: vm, profile: appliance)).id, timeout: .seconds(180))
    #expect(made.state == .success, "\(made.status)")
    #expect(try await pool.read("\(vm)_sda", at: 0, count: image.marker.count) == image.marker)
    let definition = try await cluster.vms.info(vm).xml
    #expect(definition.contains("bus=\"sata\"") && definition.contains("<vcpu>1</vcpu>"), "\(definition)")
    #expect(try await eventually(timeout: .seconds(60)) { try await cluster.vms.info(vm).state == .start })
    try await cluster.vms.remove(vm, deleteDisks: true)
    // The image is in use by no other profile: it goes with its volumes, its profile and its system template.
    try await provisioner.removeOVA(appliance)
    #expect(!(try await pool.list().contains("ova_\(appliance)_sda")))
    await #expect(throws: ProvisionerError.self) { try await provisioner.profile(appliance) }
    await #expect(throws: ProvisionerError.self) { try await provisioner.systemTemplate(appliance) }

    // Cancelled while its install phase runs (it would sleep for minutes): stopped, undone, said so.
    let slow = "prov-slow-\(tag)"
    let task = try await provisioner.create(.init(name: slow, profile: "tiny-vm", arguments: ["sleep=install"]))
    let reachedInstall = try await eventually(timeout: .seconds(120)) {
      try await cluster.tasks.task(task.id).status.contains("install phase")
    }
    let slowStatus = try await cluster.tasks.task(task.id).status
    #expect(reachedInstall, "\(slowStatus)")
    let started = ContinuousClock.now
    _ = try await cluster.tasks.cancel(task.id)
    let cancelled = try await cluster.tasks.wait(for: task.id, timeout: .seconds(60))
    #expect(cancelled.state == .failure && cancelled.status.hasPrefix("Cancelled"), "\(cancelled.status)")
    #expect(ContinuousClock.now - started < .seconds(45), "the sleeping script was killed")
    await #expect(throws: VMError.self) { try await cluster.vms.info(slow) }
    let left = try await pool.list().filter { $0.hasPrefix(slow) }
    #expect(left.isEmpty, "the cancelled create's volumes are removed: \(left)")
    // A finished task cannot be cancelled; neither can a kind that runs to its end.
    await #expect(throws: TaskError.self) { try await cluster.tasks.cancel(task.id) }

    // A script's own definition is checked as any other: one that boots a host file is refused under the
    // cluster's strict VM policy, and the create is undone.
    try await provisioner.addScript("host-kernel", data: ProvisionerGuestTests.script)
    try await provisioner.addProfile(
      "host-kernel",
      .init(
        type: .provisioner, systemTemplate: "tiny", storageTemplate: "disks", script: "host-kernel",
        arguments: ["guest=/boot", "url=http://169.254.169.254/"]))
    let hostile = "prov-host-\(tag)"
    let refused = try await cluster.tasks.wait(
      for: try await provisioner.create(.init(name: hostile, profile: "host-kernel")).id, timeout: .seconds(120))
    #expect(refused.state == .failure && refused.status.contains("reaches the host"), "\(refused.status)")
    await #expect(throws: VMError.self) { try await cluster.vms.info(hostile) }
    #expect(try await pool.list().filter { $0.hasPrefix(hostile) }.isEmpty)
  }
}
