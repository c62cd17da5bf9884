import Foundation
import PVCKit
import PVCKitAPI
import PVCKitFixtures

/// Whole-VM snapshots and sends on the simulated nodes with the real Ceph: a snapshot of a VM with 4 disks (a task
/// on the primary: 4 RBD snapshots and the record) against 4 `rbd snap create` (what upstream runs), and an
/// incremental send of 64 MiB of changes to a second cluster through its pvcapi (upstream's protocol) against
/// `rbd export-diff | rbd import-diff` between the two pools, in the same run.
struct SnapshotBenchmark {
  var hosts: String
  var cephConfiguration: String
  var rounds: Int
  var apiPort = 22_890

  func run() async throws -> Report {
    let configuration = SimulatedNodeConfiguration.text(nodeNet: SimulatedNodes.net, ceph: cephConfiguration)
    let ceph = CephAccess(configurationFile: cephConfiguration)
    let tag = UUID().uuidString.prefix(6).lowercased()
    let (here, there) = ("bench-snap-a-\(tag)", "bench-snap-b-\(tag)")
    return try await BenchCluster.with(hosts: hosts, configuration: configuration, ceph: ceph) { source, _ in
      try await BenchCluster.with(hosts: hosts, configuration: configuration, ceph: ceph) { target, _ in
        try await source.storage.addPool(here, pgs: 8, replication: "copies=2,mincopies=1", tier: "default")
        try await target.storage.addPool(there, pgs: 8, replication: "copies=2,mincopies=1", tier: "default")
        let address = "\(SimulatedNodes.net).254"
        let server = APIServer(
          cluster: target, settings: .init(address: address, port: apiPort, tokens: ["bench"], maxBodySize: 1 << 30))
        let serving = try await server.start()
        do {
          let report = try await measure(source, target, here: here, there: there, address: address)
          await serving.stop()
          try? await source.storage.removePool(here)
          try? await target.storage.removePool(there)
          return report
        } catch {
          await serving.stop()
          try? await source.storage.removePool(here)
          try? await target.storage.removePool(there)
          throw error
        }
      }
    }
  }

  private func measure(_ source: PVCCluster, _ target: PVCCluster, here: String, there: String, address: String)
    async throws -> Report
  {
    let rados = try await RadosConnection.connect(configurationFile: cephConfiguration)
    let images = try RBDPool(rados, pool: here)
    let volumes = (0..<4).map { "benchvm_sd\(Character(UnicodeScalar(UInt8(97 + $0))))" }
    for volume in volumes {
      try await source.storage.addVolume(volume, pool: here, size: "64M", force: true)
      try await target.storage.addVolume("cli-\(volume)", pool: there, size: "64M", force: true)
    }
    let disks = volumes.enumerated().map { index, volume in
      "<disk type='network' device='disk'><driver name='qemu' type='raw'/><source protocol='rbd' "
        + "name='\(here)/\(volume)'/><target dev='\(volume.suffix(3))' bus='scsi'/></disk>"
    }.joined()
    let xml = """
      <domain type='kvm'><name>benchvm</name><uuid>\(UUID().uuidString.lowercased())</uuid><memory unit='MiB'>64</memory>\
      <vcpu>1</vcpu><os><type arch='x86_64'>hvm</type></os><devices>\(disks)</devices></domain>
      """
    _ = try await source.vms.define(VMDefinition(xml: xml, initialState: .stop))
    func succeed(_ queued: ClusterTask, on cluster: PVCCluster) async throws {
      let done = try await cluster.tasks.wait(for: queued.id, timeout: .seconds(600))
      guard done.state == .success else { throw BenchmarkError("\(done.name) failed: \(done.status)") }
    }

    // 1. A snapshot of the 4 disks.
    var ours: [Double] = []
    var cli: [Double] = []
    for round in 0..<rounds {
      ours.append(
        try await timed {
          try await succeed(try await source.vms.createSnapshot("benchvm", name: "p\(round)"), on: source)
        })
      cli.append(
        try await timed {
          for volume in volumes {
            _ = try runProgram(
              "/usr/bin/rbd", ["-c", cephConfiguration, "snap", "create", "\(here)/\(volume)@c\(round)"])
          }
        })
    }

    // 2. 64 MiB of changes (16 MiB a disk, in 1 MiB pieces spread over the disk), sent incrementally. (The disks
    // are 64 MiB: the test Ceph's OSDs hold their objects in memory.)
    let destination = SnapshotDestination(uri: "http://\(address):\(apiPort)/api/v1", key: "bench", pool: there)
    try await succeed(try await source.vms.createSnapshot("benchvm", name: "base"), on: source)
    try await succeed(
      try await source.vms.sendSnapshot("benchvm", name: "base", to: destination, incrementalParent: nil), on: source)
    for volume in volumes {
      // The baseline's copies start where the mirror's do: the base snapshot, imported whole.
      let file = "/tmp/pvc-bench-\(volume).diff"
      _ = try runProgram(
        "/usr/bin/rbd", ["-c", cephConfiguration, "export-diff", "\(here)/\(volume)@base", file, "--no-progress"])
      _ = try runProgram(
        "/usr/bin/rbd", ["-c", cephConfiguration, "import-diff", file, "\(there)/cli-\(volume)", "--no-progress"])
      try? FileManager.default.removeItem(atPath: file)
    }
    var sent: [Double] = []
    var piped: [Double] = []
    var previous = "base"
    for round in 0..<rounds {
      for volume in volumes {
        for piece in 0..<16 {
          let offset = UInt64(piece) * (4 << 20) + UInt64(round % 4) * (1 << 20)
          try await images.write(
            volume, at: offset, [UInt8](repeating: UInt8(truncatingIfNeeded: round + piece), count: 1 << 20))
        }
      }
      let name = "i\(round)"
      try await succeed(try await source.vms.createSnapshot("benchvm", name: name), on: source)
      sent.append(
        try await timed {
          try await succeed(
            try await source.vms.sendSnapshot("benchvm", name: name, to: destination, incrementalParent: previous),
            on: source)
        })
      piped.append(
        try await timed {
          for volume in volumes {
            try pipe(
              ["export-diff", "--from-snap", previous, "\(here)/\(volume)@\(name)", "-", "--no-progress"],
              into: ["import-diff", "-", "\(there)/cli-\(volume)", "--no-progress"])
          }
        })
      previous = name
    }
    // The copy is the source's, byte for byte.
    let copies = try RBDPool(rados, pool: there)
    for volume in volumes {
      for offset in stride(from: UInt64(0), to: 64 << 20, by: 4 << 20) {
        let a = try await images.read(volume, at: offset, count: 1 << 20, snapshot: previous)
        let b = try await copies.read(volume, at: offset, count: 1 << 20)
        guard a == b else { throw BenchmarkError("the mirror of \(volume) differs at \(offset)") }
      }
    }
    try await source.vms.remove("benchvm", deleteDisks: true)
    try await target.vms.remove("benchvm", deleteDisks: true)

    var report = Report(
      title: "VM snapshots and sends (4 disks of 64 MiB, Ceph on the simulated nodes); median of \(rounds)")
    report.add(
      "snapshot of a VM with 4 disks (a task)", milliseconds(ours), against: "4 × rbd snap create", milliseconds(cli),
      unit: "ms", better: .lower)
    report.add(
      "incremental send of 64 MiB of changes to another cluster", milliseconds(sent),
      against: "rbd export-diff | rbd import-diff, per disk", milliseconds(piped), unit: "ms", better: .lower)
    report.notes.append(
      "Snapshot: lower is better; PVCKit's is a task on the primary (queued in ZooKeeper, claimed, librbd snapshots, "
        + "the record written); the baseline runs the rbd tool four times, as upstream's worker does.")
    report.notes.append(
      "Send: lower is better; PVCKit's is a task on the source's primary sending through the destination's pvcapi "
        + "(upstream's receive protocol over HTTP: config, extents in batches, the snapshot) into another cluster; "
        + "the baseline pipes rbd's diff between the two pools on this machine, with no second cluster. Both end "
        + "with the same bytes (checked).")
    return report
  }

  /// `rbd first | rbd second`, without a shell.
  private func pipe(_ first: [String], into second: [String]) throws {
    let (producer, consumer) = (Process(), Process())
    producer.executableURL = URL(fileURLWithPath: "/usr/bin/rbd")
    consumer.executableURL = URL(fileURLWithPath: "/usr/bin/rbd")
    producer.arguments = ["-c", cephConfiguration] + first
    consumer.arguments = ["-c", cephConfiguration] + second
    let pipe = Pipe()
    producer.standardOutput = pipe
    consumer.standardInput = pipe
    producer.standardError = FileHandle.nullDevice
    consumer.standardError = FileHandle.nullDevice
    try consumer.run()
    try producer.run()
    // Only the children hold the pipe now, so the reader sees its end when the writer exits.
    try? pipe.fileHandleForWriting.close()
    try? pipe.fileHandleForReading.close()
    producer.waitUntilExit()
    consumer.waitUntilExit()
    guard producer.terminationStatus == 0, consumer.terminationStatus == 0 else {
      throw BenchmarkError(
        "rbd export-diff | import-diff failed (\(producer.terminationStatus), \(consumer.terminationStatus))")
    }
  }
}
