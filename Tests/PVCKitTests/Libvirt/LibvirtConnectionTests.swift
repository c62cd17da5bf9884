import Foundation
import PVCKit
import Testing

/// The libvirt layer against libvirt's in-process test driver and real daemons.
@Suite("libvirt connection")
struct LibvirtConnectionTests {
  @Test("test driver: start, inspect, events, stop, and clear errors")
  func testDriver() async throws {
    let libvirt = try await LibvirtConnection.open("test:///default")
    defer { Task { await libvirt.close() } }
    let events = Collector(libvirt.domainEvents())

    let uuid = UUID().uuidString.lowercased()
    #expect(try await libvirt.createTransient(xml: TestGuests.xml(name: "unit1", uuid: uuid)) == uuid)
    #expect(try await libvirt.state(of: uuid)?.isActive == true)
    #expect(try await libvirt.activeDomains().contains { $0.uuid == uuid && $0.name == "unit1" })
    #expect(try await libvirt.xml(of: uuid).contains("<name>unit1</name>"))
    #expect(try await libvirt.hostResources().cpus > 0)
    // Room for a loaded machine (under phase 1's load the event once took longer than the default 10 s).
    #expect(
      try await eventually(timeout: .seconds(30)) { events.all.contains { $0.uuid == uuid && $0.kind == .started } })

    try await libvirt.destroy(uuid)
    #expect(try await libvirt.state(of: uuid) == nil)
    try await libvirt.destroy(uuid)  // already gone: no error
    #expect(
      try await eventually(timeout: .seconds(30)) { events.all.contains { $0.uuid == uuid && $0.kind == .stopped } })

    let bad = await #expect(throws: LibvirtError.self) { try await libvirt.createTransient(xml: "<domain>") }
    #expect(bad?.operation == "start")
    #expect(bad?.description.hasPrefix("libvirt start: ") == true)

    let missing = await #expect(throws: LibvirtError.self) { try await libvirt.xml(of: UUID().uuidString) }
    #expect(missing?.isNoDomain == true)
  }

  @Test("an unreachable daemon fails with the URI in the error")
  func unreachable() async throws {
    let error = await #expect(throws: LibvirtError.self) {
      _ = try await LibvirtConnection.open("qemu+tcp://127.0.0.1:1/system")
    }
    #expect(error?.description.contains("127.0.0.1:1") == true)
  }

  @Test("real nodes: a guest starts, live-migrates with its state kept, reports statistics and stops")
  func liveMigration() async throws {
    let nodes = TestServices.libvirtNodes
    let source = try await LibvirtConnection.open(nodes[0])
    let target = try await LibvirtConnection.open(nodes[1])
    defer {
      Task {
        await source.close()
        await target.close()
      }
    }
    let arrivals = Collector(target.domainEvents())

    let uuid = UUID().uuidString.lowercased()
    try await source.createTransient(xml: TestGuests.xml(name: "mig-\(uuid.prefix(8))", uuid: uuid))
    #expect(try await source.state(of: uuid)?.arrivedByMigration == false)
    let stats = try await source.statistics()[uuid]
    #expect(stats?.state == "running")
    #expect(stats?.maxmem == 64 * 1024)
    #expect(stats?.cpus == 1)

    try await source.migrate(uuid, to: nodes[1], maxDowntime: 300)
    #expect(try await source.state(of: uuid) == nil)
    let arrived = try await target.state(of: uuid)
    #expect(arrived?.isActive == true)
    #expect(arrived?.arrivedByMigration == true, "the guest was restarted instead of migrated")
    #expect(try await eventually { arrivals.all.contains { $0.uuid == uuid && $0.isIncomingMigration } })

    try await target.destroy(uuid)
    #expect(try await target.state(of: uuid) == nil)
  }
}
