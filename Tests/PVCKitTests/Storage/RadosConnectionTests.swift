import Foundation
import Testing

@testable import PVCKit

/// librados against the real test Ceph cluster (`Scripts/ceph.sh`: mon, mgr, 3 memstore OSDs, pool `vms`).
@Suite("Ceph through librados")
struct RadosConnectionTests {
  @Test("monitor commands answer JSON: health, the OSD map, the pools")
  func monitorCommands() async throws {
    let rados = try await RadosConnection.connect(configurationFile: TestServices.cephConfiguration)
    let status = try await rados.monitorJSON(["prefix": "status"])
    guard case .object(let fields) = status, case .object(let health)? = fields["health"],
      case .string(let state)? = health["status"]
    else {
      Issue.record("no health in \(status)")
      return
    }
    #expect(state.hasPrefix("HEALTH_"))
    let osds = try await rados.monitorJSON(["prefix": "osd stat"])
    guard case .object(let osdFields) = osds else {
      Issue.record("osd stat: \(osds)")
      return
    }
    #expect(osdFields["num_up_osds"] == .integer(3), "\(osdFields)")
    #expect(try await rados.poolNames().contains("vms"))
  }

  @Test("a refused command carries Ceph's message and errno; its values cannot change the command")
  func refusals() async throws {
    let rados = try await RadosConnection.connect(configurationFile: TestServices.cephConfiguration)
    do {
      _ = try await rados.monitorCommand(["prefix": "osd pool get", "pool": "no-such-pool", "var": "size"])
      Issue.record("a missing pool was found")
    } catch let error as CephError {
      #expect(error.code == ENOENT && error.kind == .notFound, "\(error)")
      #expect(error.message.contains("no-such-pool"), "\(error.message)")
    }
    // A pool name carrying JSON stays one string value.
    do {
      _ = try await rados.monitorCommand([
        "prefix": "osd pool get", "pool": "vms\", \"prefix\": \"osd pool rm", "var": "size",
      ])
      Issue.record("a hostile pool name was found")
    } catch let error as CephError {
      #expect(error.code == ENOENT)
    }
    #expect(try await rados.poolNames().contains("vms"))
  }

  @Test("no cluster: a clear error within the timeout, not a hang")
  func unreachable() async throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ceph-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let conf = directory.appendingPathComponent("ceph.conf").path
    try """
    [global]
    mon host = v2:127.0.0.1:1
    keyring = \(directory.path)/none.keyring
    """.write(toFile: conf, atomically: true, encoding: .utf8)
    let start = ContinuousClock.now
    await #expect(throws: CephError.self) { _ = try await RadosConnection.connect(configurationFile: conf, timeout: 2) }
    // Alone this takes milliseconds (refused at once); under the parallel phase's load it took 15 s once.
    #expect(ContinuousClock.now - start < .seconds(60))
    await #expect(throws: CephError.self) {
      _ = try await RadosConnection.connect(configurationFile: directory.path + "/missing.conf")
    }
  }
}
