import Foundation
import PVCKit
import PVCKitFixtures

/// The provisioner on the simulated nodes with the real Ceph and Galera: a VM created from a profile until its guest
/// runs, against the same steps done by hand through PVCKit calls (the name checked, the base image copied, the
/// definition made from the same templates and defined to start) in the same run; and 100 creates queued at once
/// (defined, not started) against the same 100 made by hand one after another, checking that none collide.
struct ProvisionerBenchmark {
  var hosts: String
  var cephConfiguration: String
  var galera: MariaDBConnection.Settings
  var rounds: Int
  var bulk: Int
  var powerDNSPort = 25_854
  var metadataPort = 28_190

  func run() async throws -> Report {
    let tag = UUID().uuidString.prefix(8).lowercased()
    let name = "pvcdns_prov\(tag)"  // the test user may make databases named pvcdns_*
    let admin = try await MariaDBConnection.connect(galera)
    try await admin.execute("CREATE DATABASE \(name) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin")
    var settings = galera
    settings.database = name
    defer {
      Task {
        try? await admin.execute("DROP DATABASE \(name)")
        await admin.close()
      }
    }
    let configuration = SimulatedNodeConfiguration.text(
      nodeNet: SimulatedNodes.net, ceph: cephConfiguration,
      dns: .init(
        hosts: settings.hosts, database: name, username: settings.user, password: settings.password,
        powerDNSPort: powerDNSPort, metadataPort: metadataPort))
    return try await BenchCluster.with(
      hosts: hosts, configuration: configuration, ceph: CephAccess(configurationFile: cephConfiguration),
      provisionerDatabase: settings
    ) { cluster, _ in
      let pool = "bench-prov-\(tag)"
      try await cluster.storage.addPool(pool, pgs: 8, replication: "copies=2,mincopies=1", tier: "default")
      do {
        let report = try await measure(cluster, pool: pool)
        try? await cluster.storage.removePool(pool)
        return report
      } catch {
        try? await cluster.storage.removePool(pool)
        throw error
      }
    }
  }

  private func measure(_ cluster: PVCCluster, pool: String) async throws -> Report {
    let provisioner = cluster.provisioner
    try await cluster.storage.addVolume("base", pool: pool, size: "64M", force: true)
    let rados = try await RadosConnection.connect(configurationFile: cephConfiguration)
    try await RBDPool(rados, pool: pool).write("base", at: 0, Array("PVCKit bench base image".utf8))
    try await provisioner.addSystemTemplate("tiny", .init(vcpus: 1, vramMB: 64, serial: true, vnc: false))
    try await provisioner.addNetworkTemplate("nets", macTemplate: nil)
    try await provisioner.addTemplateNetwork("nets", vni: "cluster", permitDuplicate: false)
    try await provisioner.addStorageTemplate("disks")
    try await provisioner.addTemplateDisk("disks", diskID: "sda", .init(pool: pool, sourceVolume: "base"))
    try await provisioner.addScript("noop", data: "#!/bin/sh\nexit 0\n")
    try await provisioner.addProfile(
      "bench", .init(type: .provisioner, systemTemplate: "tiny", storageTemplate: "disks", script: "noop"))
    // For the queued creates (defined, not started: the nodes have no cluster bridge), a NIC each, so that MAC
    // addresses can be seen not to collide.
    try await provisioner.addProfile(
      "bench-nic",
      .init(
        type: .provisioner, systemTemplate: "tiny", networkTemplate: "nets", storageTemplate: "disks", script: "noop"))
    /// The plan a create of `profile` makes (the NIC profile's with its network template).
    func plan(_ name: String, profile: String = "bench") async throws -> ProvisionerPlan {
      try ProvisionerPlan.make(
        name: name, uuid: UUID().uuidString.lowercased(), profile: try await provisioner.profile(profile),
        system: try await provisioner.systemTemplate("tiny"),
        network: profile == "bench" ? nil : try await provisioner.networkTemplate("nets"),
        storage: try await provisioner.storageTemplate("disks"), userdata: nil, arguments: [])
    }
    let libvirts = try await ["hv1", "hv2", "hv3"].asyncMap {
      try await LibvirtConnection.open(SimulatedNodes.libvirtURI($0))
    }
    defer { Task { for libvirt in libvirts { await libvirt.close() } } }
    func running(_ name: String) async throws -> Bool {
      guard let uuid = try? await cluster.vms.info(name).uuid else { return false }
      for libvirt in libvirts where try await libvirt.state(of: uuid)?.name == "running" { return true }
      return false
    }

    // One VM at a time: request to guest running.
    var created: [Double] = []
    var byHand: [Double] = []
    for round in 0..<rounds {
      let name = "made-\(round)"
      created.append(
        try await timed {
          let task = try await provisioner.create(.init(name: name, profile: "bench"))
          try await BenchCluster.until(.seconds(180)) {
            let now = try await cluster.tasks.task(task.id)
            if now.state == .failure { throw BenchmarkError("create failed: \(now.status)") }
            return now.state == .success ? try await running(name) : false
          }
        })
      let manual = "hand-\(round)"
      byHand.append(
        try await timed {
          guard (try? await cluster.vms.info(manual)) == nil else { throw BenchmarkError("\(manual) exists") }
          let planned = try await plan(manual)
          try await cluster.storage.cloneVolume("base", pool: pool, to: "\(manual)_sda", force: true)
          _ = try await cluster.vms.define(
            VMDefinition(xml: planned.domainXML(), node: nil, profile: "bench", initialState: .start))
          try await BenchCluster.until(.seconds(180)) { try await running(manual) }
        })
      for vm in [name, manual] { try await cluster.vms.remove(vm, deleteDisks: true) }
    }

    // Many at once: queued together (defined, not started) against made by hand one after another.
    let names = (0..<bulk).map { "bulk-\($0)" }
    let queued = try await timed {
      let tasks = try await withThrowingTaskGroup(of: ClusterTask.self) { group in
        for name in names {
          group.addTask { try await provisioner.create(.init(name: name, profile: "bench-nic", start: false)) }
        }
        return try await group.reduce(into: []) { $0.append($1) }
      }
      for task in tasks {
        let done = try await cluster.tasks.wait(for: task.id, timeout: .seconds(1800))
        guard done.state == .success else { throw BenchmarkError("a queued create failed: \(done.status)") }
      }
    }
    let infos = try await names.asyncMap { try await cluster.vms.info($0) }
    let volumes = try await cluster.storage.volumes(limit: "bulk-", pool: pool)
    let macs = infos.flatMap { info in
      info.xml.components(separatedBy: "<mac address='").dropFirst().map { $0.prefix(17) }
    }
    guard Set(infos.map(\.uuid)).count == bulk, volumes.count == bulk, Set(macs).count == bulk else {
      throw BenchmarkError(
        "queued creates collided: \(Set(infos.map(\.uuid)).count) VMs, \(volumes.count) volumes, \(Set(macs).count) MACs"
      )
    }
    let manualNames = (0..<bulk).map { "handbulk-\($0)" }
    let sequential = try await timed {
      for name in manualNames {
        let planned = try await plan(name, profile: "bench-nic")
        try await cluster.storage.cloneVolume("base", pool: pool, to: "\(name)_sda", force: true)
        _ = try await cluster.vms.define(
          VMDefinition(xml: planned.domainXML(), node: nil, profile: "bench", initialState: .stop))
      }
    }
    for name in names + manualNames { try await cluster.vms.remove(name, deleteDisks: true) }

    var report = Report(
      title:
        "Provisioner: creates from a profile (1 vCPU, 64 MiB, a copy of a 64 MiB base image, a 5-phase script), "
        + "3 nodes, Ceph, Galera; median of \(rounds)")
    report.add(
      "create → guest running", milliseconds(created), against: "the same steps by hand through PVCKit calls",
      milliseconds(byHand), unit: "ms", better: .lower)
    report.add(
      "\(bulk) creates queued at once (defined, not started)", Double(bulk) / queued,
      against: "the same \(bulk) made by hand one after another", Double(bulk) / sequential, unit: "VMs/s",
      better: .higher)
    report.notes.append(
      "create → running: lower is better; the create runs as a task on the primary (claimed from ZooKeeper), in its "
        + "11 stages, with the script's five phases as processes; by hand skips the task and the script.")
    report.notes.append(
      "Queued creates: higher is better; at most \(ProvisionerCreateTask.concurrencyLimit ?? 0) run at once on the "
        + "primary. None collided: \(bulk) distinct VMs, volumes and MAC addresses.")
    return report
  }
}

extension Array {
  /// The elements mapped in order, one after another.
  func asyncMap<T>(_ transform: (Element) async throws -> T) async throws -> [T] {
    var result: [T] = []
    result.reserveCapacity(count)
    for element in self { result.append(try await transform(element)) }
    return result
  }
}
