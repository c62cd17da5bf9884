import Foundation
import Testing

@testable import PVCKit

/// RBD images in the real test cluster's pool `vms`, through librbd, checked with the `rbd` CLI too.
@Suite("RBD images through librbd")
struct RBDPoolTests {
  static func rbd(_ arguments: [String]) throws -> (status: Int32, output: String) {
    try TestServices.runTool("/usr/bin/rbd", ["--conf", TestServices.cephConfiguration] + arguments)
  }

  @Test("create, write and read back, resize, snapshot and roll back, rename, remove")
  func lifecycle() async throws {
    let rados = try await RadosConnection.connect(configurationFile: TestServices.cephConfiguration)
    let pool = try RBDPool(rados, pool: "vms")
    let name = "t-\(UUID().uuidString.prefix(8).lowercased())"
    try await pool.create(name, size: 64 << 20)
    #expect(try await pool.info(name).size == 64 << 20)
    #expect(try await pool.list().contains(name))
    #expect(try Self.rbd(["info", "vms/\(name)"]).output.contains("64 MiB"))

    let first = (0..<8192).map { UInt8(truncatingIfNeeded: $0 &* 31) }
    try await pool.write(name, at: 1 << 20, first)
    #expect(try await pool.read(name, at: 1 << 20, count: first.count) == first)
    try await pool.createSnapshot("before", of: name)
    try await pool.write(name, at: 1 << 20, [UInt8](repeating: 0xAB, count: first.count))
    #expect(try await pool.snapshots(of: name).map(\.name) == ["before"])
    #expect(try Self.rbd(["snap", "ls", "vms/\(name)"]).output.contains("before"))
    try await pool.rollback(name, to: "before")
    #expect(try await pool.read(name, at: 1 << 20, count: first.count) == first, "the rollback restored the bytes")

    try await pool.resize(name, to: 128 << 20)
    #expect(try await pool.info(name).size == 128 << 20)
    // With a snapshot, removal is refused (and says so); without, it goes.
    await #expect(throws: CephError.self) { try await pool.remove(name) }
    try await pool.removeSnapshot("before", of: name)
    try await pool.rename(name, to: name + "-r")
    let names = try await pool.list()
    #expect(names.contains(name + "-r") && !names.contains(name))
    try await pool.remove(name + "-r")
    #expect(try Self.rbd(["info", "vms/\(name)-r"]).status != 0)
  }

  @Test("bad names are refused before Ceph sees them; a missing image is not found")
  func refusals() async throws {
    let rados = try await RadosConnection.connect(configurationFile: TestServices.cephConfiguration)
    let pool = try RBDPool(rados, pool: "vms")
    for bad in ["", "a/b", "a@b", "..", String(repeating: "x", count: 96), "ok\n", "disk;rm"] {
      do {
        try await pool.create(bad, size: 1 << 20)
        Issue.record("'\(bad)' was accepted")
      } catch let error as CephError {
        #expect(error.kind == .invalid, "\(error)")
      }
    }
    #expect(throws: CephError.self) { _ = try RBDPool(rados, pool: "no pool") }
    do {
      _ = try await pool.info("no-such-volume")
      Issue.record("a missing volume was found")
    } catch let error as CephError {
      #expect(error.kind == .notFound)
    }
  }
}
