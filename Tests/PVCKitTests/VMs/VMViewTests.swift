import Foundation
import PVCKit
import PVCKitFixtures
import Testing

/// The watch-fed VM view against a real ZooKeeper: it loads everything and follows changes.
@Suite("VM view")
struct VMViewTests {
  @Test("the view matches a cold listing and follows state, definition, tag, add and remove changes")
  func followsChanges() async throws {
    let hosts = try await TestServices.chroot()
    let cluster = try await PVCCluster.connect(.zookeeper(hosts: hosts))
    defer { Task { await cluster.close() } }
    let zk = try #require(cluster.zookeeper)
    try await UpstreamSeeder(zookeeper: zk, vms: 20).seed()
    let view = try await VMView.start(zookeeper: zk)
    #expect(view.count == 20)
    let cold = try await cluster.vms.list()
    #expect(try view.list(VMFilter()) == cold)

    try await cluster.vms.stop("vm0003")
    #expect(
      try await eventually(timeout: .seconds(30)) { try view.list(VMFilter(limit: "vm0003")).first?.state == .stop })
    try await cluster.vms.addTag("vm0004", VMTag(name: "gold", protected: true))
    #expect(
      try await eventually(timeout: .seconds(30)) { try view.list(VMFilter(tag: "gold")).map(\.name) == ["vm0004"] })
    #expect(try view.list(VMFilter(tag: "gold")).first?.tags.contains(VMTag(name: "gold", protected: true)) == true)
    try await cluster.vms.setMemory("vm0005", mebibytes: 777)
    #expect(
      try await eventually(timeout: .seconds(30)) { try view.list(VMFilter(limit: "vm0005")).first?.memory == 777 })

    let (uuid, _) = try await cluster.vms.define(VMDefinition(xml: TestGuests.xml(name: "newcomer"), node: "hv1"))
    #expect(
      try await eventually(timeout: .seconds(30)) { try view.list(VMFilter(limit: uuid)).first?.name == "newcomer" })
    try await zk.deleteRecursively(try Layout.domain(UpstreamSeeder.uuid(1)).basePath)
    #expect(
      try await eventually(timeout: .seconds(30)) {
        try view.count == 20 && view.list(VMFilter(limit: "vm0001")).isEmpty
      })
    let after = try await cluster.vms.list()
    #expect(try view.list(VMFilter()) == after)
    await view.stop()
  }
}
