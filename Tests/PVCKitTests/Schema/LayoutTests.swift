import PVCKit
import Testing

/// The layout's keys and paths against upstream's schema v15 (facts from the spec).
@Suite("Schema layout")
struct LayoutTests {
  @Test("node, VM and base keys have upstream's names and paths in v15")
  func upstreamNamesAndPaths() {
    let node = Dictionary(uniqueKeysWithValues: NodeKey.specs(in: 15).map { ($0.name, $0.path) })
    #expect(node.count == 30)
    #expect(node["state.daemon"] == "/daemonstate")
    #expect(node["count.provisioned_domains"] == "/domainscount")
    #expect(node["memory.provisioned"] == "/memprov")
    #expect(node["network.stats"] == "/network_stats")

    let domain = Dictionary(uniqueKeysWithValues: DomainKey.specs(in: 15).map { ($0.name, $0.path) })
    #expect(domain.count == 19)
    #expect(domain["storage.volumes"] == "/rbdlist")
    #expect(domain["meta.migrate_max_downtime"] == "/migration_max_downtime")
    #expect(domain["last_node"] == "/lastnode")

    let base = Dictionary(uniqueKeysWithValues: BaseKey.specs(in: 15).map { ($0.name, $0.path) })
    #expect(base.count == 22)
    #expect(base["config.fence_lock"] == "/config/fence_lock")
    #expect(base["cmd"] == nil)
    #expect(BaseKey.specs(in: 9).contains { $0.name == "cmd.domain" && $0.path == "/cmd/domains" })
    #expect(OSDKey.specs(in: 15).count == 12)
    #expect(NetworkKey.specs(in: 15).count == 18)
  }

  @Test("object paths are built from checked names")
  func objectPaths() throws {
    #expect(try Layout.node("hv1").path(.daemonState) == "/nodes/hv1/daemonstate")
    #expect(try Layout.tag("web", domain: "u-1").path(.protected) == "/domains/u-1/tags/web/protected")
    #expect(
      try Layout.rule("allow ssh", direction: .inbound, network: "100").path(.order)
        == "/networks/100/firewall_rules/in/allow ssh/order")
    #expect(try Layout.snapshot("s1", volume: "v", pool: "vms").path(.stats) == "/ceph/snapshots/vms/v/s1/stats")
    #expect(Layout.base.path(.primaryNodeSyncLock) == "/config/primary_node/sync_lock")
    #expect(try Layout.osd("3").paths().contains("/ceph/osds/3/fsid/cluster"))
  }

  @Test(
    "names that would escape their place in the tree are refused",
    arguments: [
      "", "a/b", "..", ".", ".hidden", "a\u{0}b", "tab\there", String(repeating: "x", count: 256),
    ])
  func hostileNames(name: String) {
    let error = #expect(throws: SchemaError.self) { try Layout.node(name) }
    #expect(error?.description.contains("invalid node name") == true)
  }

  @Test("key diff from v9 to v15 matches the version history")
  func keyDiffHistory() {
    let diff = KeyDiff.between(version: 9, and: 15)
    #expect(Set(diff[.base]!.added.map(\.name)) == ["config.fence_lock", "faults"])
    #expect(Set(diff[.base]!.removed.map(\.name)) == ["cmd", "cmd.node", "cmd.domain", "cmd.ceph"])
    #expect(Set(diff[.node]!.added.map(\.name)) == ["monitoring.health", "network.stats"])
    #expect(Set(diff[.domain]!.added.map(\.name)) == ["meta.migrate_max_downtime", "snapshots"])
    #expect(diff[.osd]!.added.map(\.name) == ["is_split"])
    #expect(diff[.faults]!.added.count == 7)
    #expect(diff[.pool] == nil)
    #expect(KeyDiff.between(version: 15, and: 15).isEmpty)
    // Going back reverses the diff.
    #expect(
      Set(KeyDiff.between(version: 15, and: 9)[.node]!.removed.map(\.name)) == ["monitoring.health", "network.stats"])
  }

  @Test("a key whose path changes is a move, not a delete and a create")
  func keyDiffMoves() {
    let old = NodeKey.specs(in: 15)
    var new = old
    let index = new.firstIndex { $0.name == "cpu.load" }!
    new[index].path = "/load/cpu"
    let diff = KeyDiff.between(old, new)
    #expect(diff.added.isEmpty && diff.removed.isEmpty)
    #expect(diff.moved == [KeyDiff.Move(name: "cpu.load", from: "/cpuload", to: "/load/cpu")])
  }
}
