import Foundation
import PVCKit
import PVCKitFixtures
import Testing

/// The built `pvc` binary's `vm` and `node` commands against an upstream-layout cluster in a real ZooKeeper.
@Suite("pvc vm and node commands")
struct PVCVMCommandTests {
  @Test("list, info, define, meta, tags, migrate, dump and node list through the binary")
  func vmCommands() async throws {
    let hosts = try await TestServices.chroot()
    let zk = try await ZooKeeper.connect(to: hosts)
    defer { Task { await zk.close() } }
    try await UpstreamSeeder(zookeeper: zk, vms: 4).seed()
    func pvc(_ arguments: String...) throws -> CommandResult {
      try TestServices.run("pvc", arguments, environment: ["PVC_ZOOKEEPER": hosts])
    }

    let list = try pvc("vm", "list")
    #expect(list.status == 0, "\(list.stderr)")
    let lines = list.stdout.split(separator: "\n")
    #expect(lines.first?.hasPrefix("Name") == true)
    #expect(lines.count == 5)
    #expect(lines[1].contains("vm0001") && lines[1].contains("start") && lines[1].contains("hv1"))
    #expect(try pvc("vm", "list", "-f", "raw").stdout == "vm0001\nvm0002\nvm0003\nvm0004\n")
    #expect(try pvc("vm", "list", "--target", "hv2", "-f", "raw").stdout == "vm0002\n")
    let json = try UpstreamJSON.decoder.decode(
      [VMInfo].self, from: Data(try pvc("vm", "list", "-f", "json").stdout.utf8))
    #expect(json.map(\.name) == ["vm0001", "vm0002", "vm0003", "vm0004"])
    let none = try pvc("vm", "list", "nomatch")
    #expect(none.status == ErrorKind.notFound.exitCode)
    #expect(none.stderr.contains("VM not found."))

    let info = try pvc("vm", "info", "vm0003")
    #expect(info.stdout.contains("Virtual machine information:"))
    #expect(info.stdout.contains(UpstreamSeeder.uuid(3)))
    #expect(try pvc("vm", "info", "vm0003", "-f", "long").stdout.contains("Interfaces:"))
    let missing = try pvc("vm", "info", "nosuch")
    #expect(missing.status == ErrorKind.notFound.exitCode)
    #expect(missing.stderr.contains("could not find VM \"nosuch\""))

    let file = FileManager.default.temporaryDirectory.appendingPathComponent("vm-\(UUID().uuidString).xml").path
    defer { try? FileManager.default.removeItem(atPath: file) }
    try TestGuests.xml(name: "clidef").write(toFile: file, atomically: true, encoding: .utf8)
    let defined = try pvc("vm", "define", file, "--target", "hv2", "-g", "web", "-G", "keep", "--limit", "hv1,hv2")
    #expect(defined.status == 0, "\(defined.stderr)")
    #expect(defined.stdout.contains("Added new VM with Name \"clidef\""))
    let badSelector = try pvc("vm", "define", file, "--node-selector", "fastest")
    #expect(badSelector.status == 64)
    #expect(badSelector.stderr.contains("mem, memprov, load, vcpus, vms, none"))

    #expect(try pvc("vm", "meta", "clidef", "--node-selector", "load", "-d", "120").status == 0)
    let meta = try UpstreamJSON.decoder.decode(
      VMInfo.self, from: Data(try pvc("vm", "info", "clidef", "-f", "json").stdout.utf8))
    #expect(meta.nodeSelector == "load")
    #expect(meta.migrationMaxDowntime == 120)
    #expect(meta.nodeLimit == ["hv1", "hv2"])
    #expect(meta.tags.map(\.name).sorted() == ["keep", "web"])
    #expect(try pvc("vm", "tag", "remove", "clidef", "keep").status == ErrorKind.invalid.exitCode)
    #expect(try pvc("vm", "tag", "remove", "clidef", "web").status == 0)
    #expect(try pvc("vm", "tag", "get", "clidef", "-f", "raw").stdout == "keep\n")

    let migrate = try pvc("vm", "migrate", "vm0001", "-t", "hv3")
    #expect(migrate.stdout == "Migrating VM \"vm0001\" to node \"hv3\".\n")
    #expect(try await zk.string(try Layout.domain(UpstreamSeeder.uuid(1)).path(.lastNode)) == "hv1")
    #expect(try pvc("vm", "dump", "clidef").stdout.contains("<name>clidef</name>"))
    #expect(try pvc("vm", "stop", "vm0004").status == ErrorKind.refused.exitCode)  // needs --yes without a terminal
    #expect(try pvc("vm", "stop", "vm0004", "--yes").stdout == "Forcibly stopping VM \"vm0004\".\n")
    #expect(try pvc("vm", "memory", "set", "clidef", "256").status == 0)
    #expect(try pvc("vm", "memory", "get", "clidef").stdout == "256 MiB\n")
    #expect(try pvc("vm", "vcpu", "set", "clidef", "2", "--topology", "1,2,1").status == 0)
    #expect(try pvc("vm", "vcpu", "set", "clidef", "2", "--topology", "1,3,1").status == ErrorKind.invalid.exitCode)
    #expect(try pvc("vm", "network", "add", "clidef", "200", "-a", "52:54:00:00:00:99").status == 0)
    let unknown = try pvc("vm", "network", "add", "clidef", "999", "-a", "52:54:00:00:00:98")
    #expect(unknown.status == ErrorKind.notFound.exitCode && unknown.stderr.contains("no network with VNI 999"))
    #expect(try pvc("vm", "network", "get", "clidef").stdout.contains("52:54:00:00:00:99"))

    let nodes = try pvc("node", "list")
    #expect(nodes.stdout.split(separator: "\n").count == 4)
    #expect(nodes.stdout.contains("primary"))
    #expect(try pvc("node", "list", "-ds", "run", "-f", "raw").stdout == "hv1\nhv2\nhv3\n")
    #expect(try pvc("node", "info", "hv2").stdout.contains("Total RAM (MiB):       257664"))
    let nodeJSON = try UpstreamJSON.decoder.decode(
      NodeInfo.self, from: Data(try pvc("node", "info", "hv1", "-f", "json").stdout.utf8))
    #expect(nodeJSON.coordinatorState == .primary)
  }
}
