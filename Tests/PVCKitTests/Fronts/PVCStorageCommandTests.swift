import Foundation
import PVCKitFixtures
import Testing

@testable import PVCKit

#if canImport(FoundationNetworking)
  import FoundationNetworking
#endif

/// `pvc storage` through the built binary over both transports (a pvcapi URL,
/// and ZooKeeper with the cluster's ceph.conf), against the real test Ceph:
/// what the commands did is checked through librbd and the `rbd` CLI.
@Suite("pvc storage through the API and directly", .serialized)
struct PVCStorageCommandTests {
  /// What the `rbd` CLI says.
  static func rbd(_ arguments: [String]) throws -> String {
    try TestServices.runTool("/usr/bin/rbd", ["-c", TestServices.cephConfiguration] + arguments).output
  }

  @Test(
    "pools, volumes and snapshots: made, copied, resized, renamed, rolled back and removed; refusals change nothing")
  func volumes() async throws {
    try await PVCTransportTests.withConnections(port: 22811, ceph: true) { pvc, cluster in
      let rados = try await RadosConnection.connect(configurationFile: TestServices.cephConfiguration)
      for connection in ["api", "zk"] {
        func run(_ arguments: [String]) async throws -> CommandResult { try await pvc(["-c", connection] + arguments) }
        let pool = "t\(connection)-\(UUID().uuidString.prefix(6).lowercased())"
        let added = try await run(["storage", "pool", "add", pool, "8", "--replcfg", "copies=2,mincopies=1"])
        #expect(added.status == 0, "\(connection): \(added.stderr)")
        #expect(try await rados.poolNames().contains(pool))
        #expect(try await cluster.storage.pool(pool).pgs == 8)
        #expect(try await run(["storage", "pool", "list", "-f", "raw"]).stdout.contains(pool))

        #expect(try await run(["storage", "volume", "add", pool, "v1", "64M"]).status == 0)
        let images = try RBDPool(rados, pool: pool)
        #expect(try await images.info("v1").size == 64 << 20)
        let volume = try await cluster.storage.volume("v1", pool: pool)
        #expect(volume.size == 64 << 20 && StorageStats.text(volume.stats, "size") == "64M", "\(volume.stats)")
        let listed = try await run(["storage", "volume", "list", "-p", pool, "-f", "json"])
        let decoded = try UpstreamJSON.decoder.decode([VolumeInfo].self, from: Data(listed.stdout.utf8))
        #expect(decoded.map(\.name) == ["v1"], "\(listed.stdout) \(listed.stderr)")

        // A snapshot, data written after it, a rollback: the data after it is gone.
        let before = Array("before the snapshot".utf8)
        try await images.write("v1", at: 4096, before)
        #expect(try await run(["storage", "volume", "snapshot", "add", pool, "v1", "s1"]).status == 0)
        try await images.write("v1", at: 4096, Array("written afterwards!".utf8))
        #expect(try await run(["storage", "volume", "snapshot", "rollback", pool, "v1", "s1", "-y"]).status == 0)
        #expect(try await images.read("v1", at: 4096, count: before.count) == before)
        #expect(try await run(["storage", "volume", "snapshot", "rename", pool, "v1", "s1", "s2"]).status == 0)
        #expect(try Self.rbd(["snap", "ls", "\(pool)/v1"]).contains("s2"))
        let snapshots = try await run(["storage", "volume", "snapshot", "list", "-p", pool, "-o", "v1", "-f", "raw"])
        #expect(snapshots.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "\(pool)/v1@s2")

        // Copied (the data with it), resized, renamed.
        let cloned = try await run(["storage", "volume", "clone", pool, "v1", "v2"])
        #expect(cloned.status == 0, "\(connection): \(cloned.stderr)")
        #expect(try await images.read("v2", at: 4096, count: before.count) == before)
        #expect(try await run(["storage", "volume", "resize", pool, "v2", "128M", "-y"]).status == 0)
        #expect(try Self.rbd(["info", "\(pool)/v2"]).contains("128 MiB"))
        #expect(try await run(["storage", "volume", "rename", pool, "v2", "v3", "-y"]).status == 0)
        #expect(try await images.list() == ["v1", "v3"])
        #expect(try await cluster.storage.volumes(limit: nil, pool: pool).map(\.name) == ["v1", "v3"])

        // Refusals, each naming the problem; nothing changes.
        let refusals: [([String], ErrorKind, String)] = [
          (["storage", "volume", "add", pool, "bad/name", "1G"], .invalid, "not a volume name"),
          (["storage", "volume", "add", pool, "v9", "10X"], .invalid, "not a size"),
          (["storage", "volume", "add", pool, "v1", "1G"], .refused, "already exists"),
          (["storage", "volume", "add", "nopool", "v9", "1G"], .notFound, "no pool"),
          (["storage", "volume", "remove", pool, "v1", "-y"], .refused, "has snapshots"),
          (["storage", "pool", "add", "p2", "7", "--replcfg", "copies=2,mincopies=1"], .invalid, "power of two"),
          (["storage", "pool", "add", "p2", "8", "--replcfg", "copies=2"], .invalid, "mincopies"),
          (["storage", "volume", "snapshot", "rollback", pool, "v1", "nosuch", "-y"], .notFound, "no snapshot"),
        ]
        for (arguments, kind, text) in refusals {
          let refused = try await run(arguments)
          #expect(
            refused.status == kind.exitCode && refused.stderr.contains(text),
            "\(connection) \(arguments): \(refused.status) \(refused.stderr)")
        }
        #expect(try await images.list() == ["v1", "v3"])
        #expect(!(try await rados.poolNames().contains("p2")))

        #expect(try await run(["storage", "volume", "snapshot", "remove", pool, "v1", "s2", "-y"]).status == 0)
        #expect(try await run(["storage", "volume", "remove", pool, "v1", "-y"]).status == 0)
        #expect(try await images.list() == ["v3"])
        #expect(try await run(["storage", "pool", "remove", pool, "-y"]).status == 0)
        #expect(!(try await rados.poolNames().contains(pool)))
        #expect(try await cluster.storage.pools().map(\.name).contains(pool) == false)
      }
    }
  }

  @Test("OSDs and flags: listed from the records, taken out and in, flags set and cleared in Ceph; Ceph's metrics")
  func osds() async throws {
    try await PVCTransportTests.withConnections(port: 22812, ceph: true) { pvc, cluster in
      // Ceph's own metrics, from its manager, directly and through the API (open, as upstream's). The manager's
      // module starts slowly under phase 1b's load (30 s once was not enough).
      #expect(
        try await eventually(timeout: .seconds(90)) {
          (try? await cluster.storage.prometheusMetrics())?.contains("ceph_osd_up") == true
        })
      let metrics = try TestServices.runTool(
        "/usr/bin/curl", ["-s", "--max-time", "20", "http://127.0.0.1:22812/api/v1/metrics/ceph"])
      #expect(metrics.output.contains("ceph_health_status"), "\(metrics.output.prefix(300))")
      let zookeeper = try #require(cluster.zookeeper)
      // OSD 0 as pvcd records the OSDs it made (the test Ceph's OSDs were made by its script).
      try await zookeeper.ensurePath("/ceph/osds")
      _ = try await zookeeper.multi([
        .create("/ceph/osds/0", "0"), .create("/ceph/osds/0/node", "hv1"), .create("/ceph/osds/0/device", "memstore"),
        .create("/ceph/osds/0/stats", #"{"id":"0","up":1,"in":1,"kb":1048576,"used":"1 MiB","avail":"1023 MiB"}"#),
      ])
      let rados = try await RadosConnection.connect(configurationFile: TestServices.cephConfiguration)
      for connection in ["api", "zk"] {
        func run(_ arguments: [String]) async throws -> CommandResult { try await pvc(["-c", connection] + arguments) }
        #expect(try await run(["storage", "osd", "list", "-f", "raw"]).stdout == "0\n")
        let osds = try UpstreamJSON.decoder.decode(
          [OSDInfo].self, from: Data(try await run(["storage", "osd", "list", "-f", "json"]).stdout.utf8))
        #expect(osds.first?.node == "hv1" && osds.first?.isUp == true)

        // (Taking OSD 0 out and in: CephOSDStateTests, alone, since it stalls the other tests' I/O.)
        let unknown = try await run(["storage", "osd", "out", "7"])
        #expect(unknown.status == ErrorKind.notFound.exitCode && unknown.stderr.contains("no OSD 7"))

        #expect(try await run(["storage", "osd", "set", "noout"]).status == 0)
        let flags = try await rados.monitorJSON(["prefix": "osd dump"])
        #expect(StorageStats.text(flags, "flags")?.contains("noout") == true)
        #expect(try await run(["storage", "osd", "unset", "noout"]).status == 0)
        let cleared = try await rados.monitorJSON(["prefix": "osd dump"])
        #expect(StorageStats.text(cleared, "flags")?.contains("noout") == false)
        #expect(try await run(["storage", "osd", "set", "nosuchflag"]).status == ErrorKind.invalid.exitCode)

        let status = try await run(["storage", "status", "-f", "json"])
        let report = try UpstreamJSON.decoder.decode(StorageReport.self, from: Data(status.stdout.utf8))
        #expect(report.type == "status", "\(status.stdout) \(status.stderr)")
      }
    }
  }
}

extension PVCStorageCommandTests {
  /// Random bytes.
  static func noise(_ count: Int) -> [UInt8] {
    var generator = SystemRandomNumberGenerator()
    return (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
  }

  @Test(
    "images uploaded raw and qcow2 through both transports, and as upstream's multipart form, read back byte for byte")
  func uploads() async throws {
    try await PVCTransportTests.withConnections(port: 22813, ceph: true) { pvc, cluster in
      let rados = try await RadosConnection.connect(configurationFile: TestServices.cephConfiguration)
      let directory = FileManager.default.temporaryDirectory.appendingPathComponent("pvckit-up-\(UUID().uuidString)")
      try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
      defer { try? FileManager.default.removeItem(at: directory) }
      // 5 MiB and a bit: more than one write, not a whole number of them.
      let image = Self.noise((5 << 20) + 4321)
      let raw = directory.appendingPathComponent("disk.raw").path
      try Data(image).write(to: URL(fileURLWithPath: raw))
      let qcow2 = directory.appendingPathComponent("disk.qcow2").path
      let converted = try TestServices.runTool(
        "/usr/bin/qemu-img", ["convert", "-f", "raw", "-O", "qcow2", raw, qcow2])
      #expect(converted.status == 0, "\(converted.output)")
      let pool = "up-\(UUID().uuidString.prefix(6).lowercased())"
      try await cluster.storage.addPool(pool, pgs: 8, replication: "copies=2,mincopies=1", tier: "default")
      let images = try RBDPool(rados, pool: pool)
      for connection in ["api", "zk"] {
        func run(_ arguments: [String]) async throws -> CommandResult { try await pvc(["-c", connection] + arguments) }
        for (format, file) in [("raw", raw), ("qcow2", qcow2)] {
          let volume = "\(connection)-\(format)"
          let made = try await run(["storage", "volume", "add", pool, volume, "8M"])
          #expect(made.status == 0, "\(connection): \(made.stderr)")
          let uploaded = try await run(["storage", "volume", "upload", pool, volume, file, "-f", format])
          #expect(uploaded.status == 0, "\(connection) \(format): \(uploaded.stderr)")
          #expect(try await images.read(volume, at: 0, count: image.count) == image, "\(connection) \(format)")
          #expect(!(try await images.list().contains("\(volume)_tmp")))
        }
        // Larger than the volume: refused, saying so.
        #expect(try await run(["storage", "volume", "add", pool, "\(connection)-small", "4M"]).status == 0)
        let tooLarge = try await run(["storage", "volume", "upload", pool, "\(connection)-small", raw])
        #expect(tooLarge.status == ErrorKind.invalid.exitCode && tooLarge.stderr.contains("larger than"))
        let notQcow = try await run(["storage", "volume", "upload", pool, "\(connection)-small", raw, "-f", "qcow2"])
        #expect(notQcow.status == ErrorKind.invalid.exitCode, "\(notQcow.stderr)")
      }

      // Upstream's client: a multipart form with the file, the format in the query string.
      try await cluster.storage.addVolume("multipart", pool: pool, size: "8M", force: false)
      let boundary = "pvckit-\(UUID().uuidString)"
      var body = Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"disk.raw\"\r\n".utf8)
      body += Data("Content-Type: application/octet-stream\r\n\r\n".utf8) + Data(image)
      body += Data("\r\n--\(boundary)--\r\n".utf8)
      var request = URLRequest(
        url: URL(string: "http://127.0.0.1:22813/api/v1/storage/ceph/volume/\(pool)/multipart/upload?image_format=raw")!
      )
      request.httpMethod = "POST"
      request.setValue("multipart/form-data; boundary=\(boundary)", forHTTPHeaderField: "Content-Type")
      request.setValue(APITestHarness.token, forHTTPHeaderField: "X-Api-Key")
      let (answer, response) = try await URLSession.shared.upload(for: request, from: body)
      #expect((response as? HTTPURLResponse)?.statusCode == 200, "\(String(decoding: answer, as: UTF8.self))")
      #expect(try await images.read("multipart", at: 0, count: image.count) == image)
      try await cluster.storage.removePool(pool)
    }
  }
}

/// Taking an OSD out and in for real: alone (phase 2 of `make test`), since peering stalls the other tests' I/O.
@Suite("Ceph OSD in and out", .serialized)
struct CephOSDStateTests {
  @Test("an OSD PVC records is taken out and in through both transports; Ceph's map says so")
  func outAndIn() async throws {
    try await PVCTransportTests.withConnections(port: 22814, ceph: true) { pvc, cluster in
      let zookeeper = try #require(cluster.zookeeper)
      try await zookeeper.ensurePath("/ceph/osds")
      _ = try await zookeeper.multi([
        .create("/ceph/osds/0", "0"), .create("/ceph/osds/0/node", "hv1"), .create("/ceph/osds/0/device", "memstore"),
      ])
      let rados = try await RadosConnection.connect(configurationFile: TestServices.cephConfiguration)
      func osdIn() async throws -> Int {
        let dump = try await rados.monitorJSON(["prefix": "osd dump"])
        guard case .array(let osds)? = CephStats.field(dump, "osds") else { return -1 }
        return osds.first { CephStats.number(CephStats.field($0, "osd")) == 0 }.map {
          CephStats.number(CephStats.field($0, "in"))
        } ?? -1
      }
      for connection in ["api", "zk"] {
        func run(_ arguments: [String]) async throws -> CommandResult { try await pvc(["-c", connection] + arguments) }
        #expect(try await run(["storage", "osd", "out", "0"]).status == 0)
        #expect(try await osdIn() == 0)
        #expect(try await run(["storage", "osd", "in", "0"]).status == 0)
        #expect(try await osdIn() == 1)
      }
    }
  }
}

extension CephOSDStateTests {
  /// A loop device over a sparse file of 5 GiB, detached (and the file removed) by `detach`.
  static func loopDevice() throws -> (device: String, detach: @Sendable () -> Void) {
    let image = FileManager.default.temporaryDirectory.appendingPathComponent("pvckit-osd-\(UUID().uuidString).img")
    FileManager.default.createFile(atPath: image.path, contents: nil)
    let handle = try FileHandle(forWritingTo: image)
    try handle.truncate(atOffset: 5 << 30)
    try handle.close()
    let attached = try TestServices.runTool("/usr/sbin/losetup", ["--find", "--show", image.path])
    let device = attached.output.trimmingCharacters(in: .whitespacesAndNewlines)
    #expect(attached.status == 0 && device.hasPrefix("/dev/loop"), "\(attached.output)")
    return (
      device,
      {
        _ = try? TestServices.runTool("/usr/sbin/losetup", ["-d", device])
        try? FileManager.default.removeItem(at: image)
      }
    )
  }

  @Test("an OSD is made on a node's block device (a loop device), moved to another, imported again, and removed")
  func addReplaceRefreshRemove() async throws {
    let first = try Self.loopDevice()
    defer { first.detach() }
    let second = try Self.loopDevice()
    defer { second.detach() }
    try await NodeCluster.with(configuration: RBDDiskEndToEndTests.configuration) { nodes in
      let cluster = try await PVCCluster.connect(
        .zookeeper(hosts: nodes.hosts), ceph: CephAccess(configurationFile: TestServices.cephConfiguration))
      defer { Task { await cluster.close() } }
      func tree() throws -> String {
        try TestServices.runTool("/usr/bin/ceph", ["-c", TestServices.cephConfiguration, "osd", "tree"]).output
      }
      let added = try await cluster.storage.addOSD(.init(node: "hv1", device: first.device, weight: 0.005), wait: true)
      #expect(added.contains("Added OSD"), "\(added)")
      let osd = try #require(try await cluster.storage.osds(limit: nil).first { $0.device == first.device })
      #expect(osd.node == "hv1")
      // Its daemon runs inside hv1 (the node's namespace), and Ceph has it up.
      #expect(try tree().contains("osd.\(osd.id)"))
      #expect(
        try SimulatedNodes.inside("hv1", ["pgrep", "-f", "ceph-osd --cluster"]).status == 0, "no ceph-osd in hv1")
      // The same device again is refused.
      await #expect(throws: (any Error).self) {
        _ = try await cluster.storage.addOSD(.init(node: "hv1", device: first.device), wait: true)
      }

      // Moved to the second device: the same ID, up again, recorded there.
      let replaced = try await cluster.storage.replaceOSD(.init(id: osd.id, newDevice: second.device), wait: true)
      #expect(replaced.contains("Replaced"), "\(replaced)")
      #expect(try await cluster.storage.osd(osd.id).device == second.device)
      #expect(try await cluster.storage.osds(limit: nil).count == 1)
      // Imported again from its device (as after a reinstall): up.
      let refreshed = try await cluster.storage.refreshOSD(.init(id: osd.id, device: second.device), wait: true)
      #expect(refreshed.contains("Refreshed OSD \(osd.id)"), "\(refreshed)")
      // Not from a device holding no OSD.
      await #expect(throws: (any Error).self) {
        _ = try await cluster.storage.refreshOSD(.init(id: osd.id, device: first.device), wait: true)
      }

      // upstream's osd-db volume group needs LVM: made where the kernel has device-mapper, refused (saying so) here.
      if OSDCommands.Mode.available == .raw {
        do {
          _ = try await cluster.storage.createDatabaseVolumeGroup(.init(node: "hv1", device: first.device), wait: true)
          Issue.record("an osd-db volume group was made without device-mapper")
        } catch {
          #expect("\(error)".contains("device-mapper"), "\(error)")
        }
      } else {
        _ = try await cluster.storage.createDatabaseVolumeGroup(.init(node: "hv1", device: first.device), wait: true)
        #expect(try TestServices.runTool("/usr/sbin/vgs", ["osd-db"]).status == 0)
        _ = try TestServices.runTool("/usr/sbin/vgremove", ["-f", "osd-db"])
      }

      let removed = try await cluster.storage.removeOSD(.init(id: osd.id), wait: true)
      #expect(removed.contains("Removed OSD \(osd.id)"), "\(removed)")
      #expect(try await cluster.storage.osds(limit: nil).allSatisfy { $0.id != osd.id })
      let after = try TestServices.runTool("/usr/bin/ceph", ["-c", TestServices.cephConfiguration, "osd", "ls"])
      #expect(!after.output.split(separator: "\n").contains(Substring(osd.id)), "\(after.output)")
    }
  }
}

extension CephOSDStateTests {
  @Test(
    "Ceph's OSDs stopped in the middle: adding a volume fails with a clear error and records nothing; it works once they are back"
  )
  func cephStopped() async throws {
    let hosts = try await TestServices.chroot(name: "ceph-stopped")
    let cluster = try await PVCCluster.connect(
      .zookeeper(hosts: hosts), ceph: CephAccess(configurationFile: TestServices.cephConfiguration))
    defer { Task { await cluster.close() } }
    try await cluster.initialize()
    let pool = "stop-\(UUID().uuidString.prefix(6).lowercased())"
    try await cluster.storage.addPool(pool, pgs: 8, replication: "copies=2,mincopies=1", tier: "default")
    // Every OSD of the test cluster frozen (SIGSTOP): the monitors answer, no object can be written.
    let directory = URL(fileURLWithPath: TestServices.cephConfiguration).deletingLastPathComponent().path
    let pids = try FileManager.default.contentsOfDirectory(atPath: directory)
      .filter { $0.hasPrefix("osd.") && $0.hasSuffix(".pid") }
      .compactMap { try? String(contentsOfFile: "\(directory)/\($0)", encoding: .utf8) }
      .compactMap { pid_t($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
    #expect(pids.count == 3, "\(pids)")
    for pid in pids { kill(pid, SIGSTOP) }
    let start = ContinuousClock.now
    var failure: (any Error)?
    do {
      try await cluster.storage.addVolume("frozen", pool: pool, size: "16M", force: false)
    } catch {
      failure = error
    }
    for pid in pids { kill(pid, SIGCONT) }
    let waited = ContinuousClock.now - start
    let error = try #require(failure, "a volume was made while every OSD was stopped")
    #expect(ErrorKind(of: error) == .timedOut || ErrorKind(of: error) == .failed, "\(error)")
    #expect("\(error)".contains("frozen"), "the error names the volume: \(error)")
    #expect(waited < .seconds(60), "not a hang: \(waited)")
    #expect(try await cluster.storage.volumes(limit: nil, pool: pool).isEmpty, "a half-made volume was recorded")
    // Back: the same request works (what Ceph may have half made is cleaned up or refused clearly).
    let again = try await eventually(timeout: .seconds(60)) {
      do {
        try await cluster.storage.addVolume("frozen", pool: pool, size: "16M", force: false)
        return true
      } catch let error as CephError where error.code == EEXIST {
        // librbd made the image before it timed out: remove it through librbd and try again.
        let rados = try await RadosConnection.connect(configurationFile: TestServices.cephConfiguration)
        try? await RBDPool(rados, pool: pool).remove("frozen")
        return false
      } catch {
        return false
      }
    }
    #expect(again)
    #expect(try await cluster.storage.volumes(limit: nil, pool: pool).map(\.name) == ["frozen"])
    try await cluster.storage.removePool(pool)
  }
}
