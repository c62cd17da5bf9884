import Foundation
import PVCKit

/// Ceph storage through PVCKit, against the `rbd`/`ceph` CLIs (what upstream
/// runs) and against direct librbd calls (the floor), on the same Ceph in the
/// same run: volume create, copy and snapshot per operation, the listing of
/// `volumes` volumes, the status, and upload throughput against `rbd import`.
struct StorageBenchmark {
  var hosts: String
  var cephConfiguration: String
  var volumes: Int
  var rounds: Int
  /// How many volumes each baseline makes (a CLI call takes a fraction of a second).
  var sample = 50

  func run() async throws -> Report {
    var report = Report(
      title: "Storage: Ceph (3 memstore OSDs), \(volumes) volumes, medians of \(rounds); per operation, lower is better"
    )
    let tag = "bench-st-\(UUID().uuidString.prefix(8).lowercased())"
    let admin = try await ZooKeeper.connect(to: hosts)
    try await admin.create("/\(tag)", "")
    let access = CephAccess(configurationFile: cephConfiguration)
    let cluster = try await PVCCluster.connect(.zookeeper(hosts: "\(hosts)/\(tag)"), ceph: access)
    try await cluster.initialize()
    let rados = try await RadosConnection.connect(configurationFile: cephConfiguration)
    let pool = tag.replacingOccurrences(of: "bench-st-", with: "bs")
    try await cluster.storage.addPool(pool, pgs: 32, replication: "copies=2,mincopies=1", tier: "default")
    let images = try RBDPool(rados, pool: pool)

    // 1. create: PVCKit (Ceph and the records), the rbd CLI, librbd.
    var pvckit: [Double] = []
    for index in 0..<volumes {
      let start = ContinuousClock.now
      try await cluster.storage.addVolume("v\(index)", pool: pool, size: "64M", force: true)
      pvckit.append((ContinuousClock.now - start).seconds)
    }
    var cli: [Double] = []
    var direct: [Double] = []
    for index in 0..<sample {
      cli.append(try timed { _ = try rbd(["create", "--size", "64M", "\(pool)/cli\(index)"]) })
      let start = ContinuousClock.now
      try await images.create("lib\(index)", size: 64 << 20)
      direct.append((ContinuousClock.now - start).seconds)
    }
    report.add(
      "create a volume: PVCKit", milliseconds(pvckit), against: "rbd create", milliseconds(cli), unit: "ms",
      better: .lower)
    report.add(
      "create a volume: PVCKit", milliseconds(pvckit), against: "librbd rbd_create2", milliseconds(direct), unit: "ms",
      better: .lower)

    // 2. list every volume with its size.
    var listed: [Double] = []
    var listedCLI: [Double] = []
    var listedDirect: [Double] = []
    for _ in 0..<rounds {
      listed.append(try await timedAsync { _ = try await cluster.storage.volumes(limit: nil, pool: pool) })
      listedCLI.append(try timed { _ = try rbd(["ls", "-l", "--format", "json", pool]) })
      listedDirect.append(
        try await timedAsync {
          for name in try await images.list() { _ = try await images.info(name) }
        })
    }
    report.add(
      "list \(volumes + 2 * sample) volumes with sizes: PVCKit", milliseconds(listed), against: "rbd ls -l",
      milliseconds(listedCLI), unit: "ms", better: .lower)
    report.add(
      "list \(volumes + 2 * sample) volumes with sizes: PVCKit", milliseconds(listed),
      against: "librbd list + stat each",
      milliseconds(listedDirect), unit: "ms", better: .lower)

    // 3. copy a 16 MiB volume with data, and 4. snapshot.
    try await cluster.storage.addVolume("source", pool: pool, size: "16M", force: true)
    try await images.write("source", at: 0, [UInt8](repeating: 7, count: 16 << 20))
    var copies: [Double] = []
    var copiesCLI: [Double] = []
    var copiesDirect: [Double] = []
    var snaps: [Double] = []
    var snapsCLI: [Double] = []
    var snapsDirect: [Double] = []
    for round in 0..<rounds {
      copies.append(
        try await timedAsync {
          try await cluster.storage.cloneVolume("source", pool: pool, to: "copy\(round)", force: true)
        })
      copiesCLI.append(try timed { _ = try rbd(["cp", "\(pool)/source", "\(pool)/clicopy\(round)"]) })
      copiesDirect.append(try await timedAsync { try await images.copy("source", to: "libcopy\(round)") })
      snaps.append(
        try await timedAsync { try await cluster.storage.addSnapshot("s\(round)", volume: "v0", pool: pool) })
      snapsCLI.append(try timed { _ = try rbd(["snap", "create", "\(pool)/cli0@s\(round)"]) })
      snapsDirect.append(try await timedAsync { try await images.createSnapshot("s\(round)", of: "lib0") })
    }
    report.add(
      "copy 16 MiB: PVCKit", milliseconds(copies), against: "rbd cp", milliseconds(copiesCLI), unit: "ms",
      better: .lower)
    report.add(
      "copy 16 MiB: PVCKit", milliseconds(copies), against: "librbd rbd_copy", milliseconds(copiesDirect), unit: "ms",
      better: .lower)
    report.add(
      "snapshot: PVCKit", milliseconds(snaps), against: "rbd snap create", milliseconds(snapsCLI), unit: "ms",
      better: .lower)
    report.add(
      "snapshot: PVCKit", milliseconds(snaps), against: "librbd rbd_snap_create", milliseconds(snapsDirect), unit: "ms",
      better: .lower)

    // 5. status: PVCKit answers from the primary's record; ceph -s asks the monitor.
    try await admin.set("/\(tag)/ceph", try await rados.monitorCommand(["prefix": "status"]).output)
    var status: [Double] = []
    var statusCLI: [Double] = []
    for _ in 0..<max(rounds, 5) {
      status.append(try await timedAsync { _ = try await cluster.storage.status() })
      statusCLI.append(try timed { _ = try Self.tool("/usr/bin/ceph", ["-c", cephConfiguration, "-s"]) })
    }
    report.add(
      "storage status: PVCKit", milliseconds(status), against: "ceph -s", milliseconds(statusCLI), unit: "ms",
      better: .lower)

    // 6. upload 64 MiB raw: PVCKit streams through librbd; rbd import is Ceph's own tool. (The in-memory OSDs hold
    // 1 GiB each: every copy made so far goes first.)
    for round in 0..<rounds {
      try await cluster.storage.removeVolume("copy\(round)", pool: pool)
      _ = try rbd(["rm", "\(pool)/clicopy\(round)"])
      try await images.remove("libcopy\(round)")
    }
    let file = FileManager.default.temporaryDirectory.appendingPathComponent("\(tag).raw")
    var generator = SystemRandomNumberGenerator()
    let block = (0..<(1 << 20)).map { _ in UInt8.random(in: 0...255, using: &generator) }
    FileManager.default.createFile(atPath: file.path, contents: nil)
    let handle = try FileHandle(forWritingTo: file)
    for _ in 0..<64 { try handle.write(contentsOf: block) }
    try handle.close()
    defer { try? FileManager.default.removeItem(at: file) }
    var uploads: [Double] = []
    var imports: [Double] = []
    for round in 0..<rounds {
      try await cluster.storage.addVolume("up\(round)", pool: pool, size: "64M", force: true)
      let seconds = try await timedAsync {
        try await cluster.storage.uploadVolume(
          "up\(round)", pool: pool, format: .raw, size: nil, from: .file(file.path))
      }
      uploads.append(64 / seconds)
      try await cluster.storage.removeVolume("up\(round)", pool: pool)
      let importSeconds = try timed { _ = try rbd(["import", file.path, "\(pool)/import\(round)"]) }
      imports.append(64 / importSeconds)
      _ = try rbd(["rm", "\(pool)/import\(round)"])
    }
    report.add(
      "upload 64 MiB raw: PVCKit", median(uploads), against: "rbd import", median(imports), unit: "MiB/s",
      better: .higher)
    report.notes.append(
      "PVCKit's create, copy and snapshot also record the volume in ZooKeeper (upstream's layout) and check the 80 % guard;"
        + " its listing and status are answered from those records. Baselines: \(sample) volumes each by `rbd` and by librbd."
    )

    try await cluster.storage.removePool(pool)
    try await admin.deleteRecursively("/\(tag)")
    await cluster.close()
    // librados' threads must be gone before the program exits.
    await rados.shutdown()
    return report
  }

  /// Runs `rbd` on the cluster; fails when it does.
  func rbd(_ arguments: [String]) throws -> String {
    try Self.tool("/usr/bin/rbd", ["-c", cephConfiguration] + arguments)
  }

  static func tool(_ path: String, _ arguments: [String]) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: path)
    process.arguments = arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
      throw StorageBenchmarkError.failed(
        "\(path) \(arguments.joined(separator: " ")): \(String(decoding: data, as: UTF8.self))")
    }
    return String(decoding: data, as: UTF8.self)
  }

  func timed(_ body: () throws -> Void) throws -> Double {
    let start = ContinuousClock.now
    try body()
    return (ContinuousClock.now - start).seconds
  }

  func timedAsync(_ body: () async throws -> Void) async throws -> Double {
    let start = ContinuousClock.now
    try await body()
    return (ContinuousClock.now - start).seconds
  }
}

enum StorageBenchmarkError: Error {
  case failed(String)
}
