import Foundation
import PVCKit
import PVCKitFixtures
import Testing

@testable import PVCKitAPI

/// The built `pvc` through both kinds of connection, a pvcapi URL and a
/// ZooKeeper ensemble, against the same cluster: same answers either way.
@Suite("pvc through the API and directly", .serialized)
struct PVCTransportTests {
  /// Runs `body` with a seeded cluster, an API server on a port, and a client
  /// directory holding connections `api` and `zk` to them.
  static func withConnections(
    port: Int, editor: String? = nil, ceph: Bool = false, database: MariaDBConnection.Settings? = nil,
    provisionerDatabase: MariaDBConnection.Settings? = nil,
    _ body: @Sendable (_ pvc: @Sendable ([String]) async throws -> CommandResult, PVCCluster) async throws -> Void,
    name: String = #function
  ) async throws {
    let hosts = try await TestServices.chroot(name: name)
    let access = ceph ? CephAccess(configurationFile: TestServices.cephConfiguration) : nil
    let cluster = try await PVCCluster.connect(
      .zookeeper(hosts: hosts), ceph: access, database: database, provisionerDatabase: provisionerDatabase)
    try await UpstreamSeeder(zookeeper: cluster.zookeeper!, vms: 6).seed()
    let server = APIServer(cluster: cluster, settings: .init(port: port, tokens: [APITestHarness.token]))
    let serving = try await server.start()
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("pvckit-client-\(UUID().uuidString)")
    var settings = ["PVC_CLIENT_DIR": directory.path]
    settings["EDITOR"] = editor
    settings["PVC_CEPH_CONFIG"] = access?.configurationFile
    let environment = settings
    let pvc: @Sendable ([String]) async throws -> CommandResult = { arguments in
      try await TestServices.offPool { try TestServices.run("pvc", arguments, environment: environment) }
    }
    do {
      #expect(
        try await pvc([
          "connection", "add", "api", "-a", "127.0.0.1", "-p", "\(port)", "-k", APITestHarness.token, "-d", "test API",
        ]).status == 0)
      #expect(try await pvc(["connection", "add", "zk", "--zookeeper", hosts]).status == 0)
      try await body(pvc, cluster)
    } catch {
      await serving.stop()
      await cluster.close()
      try? FileManager.default.removeItem(at: directory)
      throw error
    }
    await serving.stop()
    await cluster.close()
    try? FileManager.default.removeItem(at: directory)
  }

  @Test("the same commands give the same JSON through either transport")
  func sameJSON() async throws {
    try await Self.withConnections(port: 22792) { pvc, _ in
      let commands: [[String]] = [
        ["vm", "list", "-f", "json"], ["vm", "list", "vm000", "-f", "json"],
        ["vm", "list", "--node", "hv2", "-f", "json"],
        ["vm", "info", UpstreamSeeder.name(2), "-f", "json"], ["node", "list", "-f", "json"],
        ["node", "info", "hv1", "-f", "json"], ["cluster", "status", "-f", "json"],
        ["cluster", "fault", "list", "-f", "json"],
        ["vm", "dump", UpstreamSeeder.name(4)], ["vm", "tag", "get", UpstreamSeeder.name(4), "-f", "json"],
      ]
      for command in commands {
        let viaAPI = try await pvc(["-c", "api"] + command)
        let direct = try await pvc(command + ["--connection", "zk"])
        #expect(viaAPI.status == direct.status, "\(command): \(viaAPI.stderr) / \(direct.stderr)")
        #expect(viaAPI.stdout == direct.stdout, "\(command) differs: \(viaAPI.stderr.prefix(300))")
      }
    }
  }

  @Test("changes through the API are seen directly; errors read the same; bad arguments are usage errors")
  func changesAndErrors() async throws {
    try await Self.withConnections(port: 22793) { pvc, cluster in
      let vm = UpstreamSeeder.name(1)
      #expect(try await pvc(["-c", "api", "vm", "tag", "add", vm, "blue"]).status == 0)
      #expect(try await cluster.vms.info(vm).tags.contains { $0.name == "blue" })
      #expect(try await pvc(["-c", "api", "vm", "stop", vm, "--yes"]).status == 0)
      #expect(try await cluster.vms.info(vm).state == .stop)
      #expect(try await pvc(["-c", "api", "cluster", "maintenance", "on"]).status == 0)
      #expect(try await cluster.status().maintenance)

      for command in [["vm", "info", "nothere"], ["node", "info", "hv9"], ["vm", "start", "nothere"]] {
        let viaAPI = try await pvc(["-c", "api"] + command)
        let direct = try await pvc(["-c", "zk"] + command)
        // The same kind of error, so the same exit status, over both transports.
        #expect(viaAPI.status == ErrorKind.notFound.exitCode && direct.status == viaAPI.status, "\(command)")
        #expect(viaAPI.stderr == direct.stderr, "\(command): \(viaAPI.stderr) / \(direct.stderr)")
      }
      #expect(try await pvc(["-c", "api", "vm", "list", "--format", "fancy"]).status == 64)
      #expect(try await pvc(["-c", "nowhere", "vm", "list"]).stderr.contains("no connection named"))

      let wrongKey = try await pvc(["connection", "add", "bad", "-a", "127.0.0.1", "-p", "22793", "-k", "nope"])
      #expect(wrongKey.status == 0)
      let refused = try await pvc(["-c", "bad", "vm", "list"])
      #expect(
        refused.status == ErrorKind.unauthorized.exitCode && refused.stderr.contains("Authentication failed"),
        "\(refused.stderr)")
      let closed = try await pvc(["connection", "add", "down", "-a", "127.0.0.1", "-p", "22799"])
      #expect(closed.status == 0)
      #expect(try await pvc(["-c", "down", "vm", "list"]).stderr.contains("cannot reach the PVC API"))
    }
  }

  @Test("networks through the binary over both transports: add, list, info, modify, remove; refusals change nothing")
  func networks() async throws {
    try await Self.withConnections(port: 22795) { pvc, cluster in
      for (connection, vni) in [("api", 300), ("zk", 400)] {
        func run(_ arguments: [String]) async throws -> CommandResult { try await pvc(["-c", connection] + arguments) }
        let subnet = "10.\(vni / 10).0"
        let added = try await run([
          "network", "add", "\(vni)", "-d", "net\(vni)", "-p", "managed", "-i", "\(subnet).0/24", "-g",
          "\(subnet).1", "--dhcp", "--dhcp-start", "\(subnet).100", "--dhcp-end", "\(subnet).199", "--dns-server",
          "\(subnet).1", "-n", "net\(vni).example", "-i6", "fd00:\(vni)::/64", "-g6", "fd00:\(vni)::1",
        ])
        #expect(added.status == 0, "\(connection): \(added.stderr)")
        // Seen the same way by the other transport.
        let seen = try await cluster.networks.info(vni)
        #expect(seen.ip4.network == "\(subnet).0/24" && seen.ip4.dhcpFlag && seen.ip6.dhcpFlag)
        #expect(seen.nameServers == ["\(subnet).1"] && seen.domain == "net\(vni).example")
        let info = try UpstreamJSON.decoder.decode(
          NetworkInfo.self, from: Data(try await run(["network", "info", "\(vni)", "-f", "json"]).stdout.utf8))
        #expect(info == seen)
        #expect(try await run(["network", "list", "-f", "raw"]).stdout.contains("100\n200\n\(vni)"))

        let overlap = try await run([
          "network", "add", "\(vni + 1)", "-d", "other", "-p", "managed", "-i", "\(subnet).0/16", "-g", "\(subnet).254",
        ])
        #expect(overlap.status == ErrorKind.invalid.exitCode && overlap.stderr.contains("overlaps network"))
        let again = try await run(["network", "add", "\(vni)", "-d", "again", "-p", "bridged"])
        #expect(again.status == ErrorKind.refused.exitCode && again.stderr.contains("already exists"))
        let bridgedIP = try await run([
          "network", "add", "\(vni + 2)", "-d", "vlan", "-p", "bridged", "-i", "10.9.0.0/24",
        ])
        #expect(bridgedIP.status == ErrorKind.invalid.exitCode && bridgedIP.stderr.contains("bridged"))
        #expect(try await cluster.networks.list().map(\.vni).filter { $0 > vni } == [], "a refusal wrote something")

        #expect(try await run(["network", "modify", "\(vni)", "-d", "renamed\(vni)", "-m", "1400"]).status == 0)
        let modified = try await cluster.networks.info(vni)
        #expect(modified.description == "renamed\(vni)" && modified.mtu == 1400)

        let inUse = try await run(["network", "remove", "100", "-y"])
        #expect(inUse.status == ErrorKind.refused.exitCode && inUse.stderr.contains("used by VM"), "\(inUse.stderr)")
        #expect(try await run(["network", "remove", "\(vni)", "-y"]).status == 0)
        #expect(try await run(["network", "info", "\(vni)"]).status == ErrorKind.notFound.exitCode)
      }
    }
  }

  @Test("DHCP reservations through the binary over both transports: add, list, refusals, remove")
  func reservations() async throws {
    try await Self.withConnections(port: 22796) { pvc, cluster in
      for (connection, host) in [("api", 50), ("zk", 51)] {
        func run(_ arguments: [String]) async throws -> CommandResult { try await pvc(["-c", connection] + arguments) }
        let mac = "52:54:00:AA:00:\(host)"
        let added = try await run(["network", "dhcp", "add", "100", "10.100.0.\(host)", "web\(host)", mac])
        #expect(added.status == 0, "\(connection): \(added.stderr)")
        let listed = try UpstreamJSON.decoder.decode(
          [NetworkLease].self,
          from: Data(try await run(["network", "dhcp", "list", "100", "-s", "-f", "json"]).stdout.utf8))
        #expect(
          listed.contains(
            NetworkLease(
              hostname: "web\(host)", ip4Address: "10.100.0.\(host)", macAddress: mac.lowercased(), isStatic: true)),
          "\(listed)")
        let refusals: [([String], ErrorKind, String)] = [
          (["10.100.0.\(host)", "other", "52:54:00:bb:00:01"], .invalid, "already reserved"),
          (["10.100.0.99", "again", mac], .refused, "already has a reservation"),
          (["10.100.0.98", "bad", "52:54:00:zz:00:01"], .invalid, "not a MAC address"),
          (["10.200.0.5", "far", "52:54:00:bb:00:02"], .invalid, "not an address inside"),
          (["10.100.0.97", "no_underscores", "52:54:00:bb:00:03"], .invalid, "not a host name"),
          (["10.100.0.1", "gw", "52:54:00:bb:00:04"], .invalid, "gateway"),
        ]
        for (arguments, kind, message) in refusals {
          let refused = try await run(["network", "dhcp", "add", "100"] + arguments)
          #expect(
            refused.status == kind.exitCode && refused.stderr.contains(message), "\(arguments): \(refused.stderr)")
        }
        let bridged = try await run(["network", "dhcp", "add", "200", "10.100.0.96", "b", "52:54:00:bb:00:05"])
        #expect(bridged.status == ErrorKind.invalid.exitCode, "\(bridged.stderr)")
        #expect(
          try await cluster.networks.leases(100, limit: nil, staticOnly: true).count == (connection == "api" ? 1 : 2))
        #expect(try await run(["network", "dhcp", "remove", "100", mac, "-y"]).status == 0)
        #expect(
          try await run(["network", "dhcp", "remove", "100", mac, "-y"]).status == ErrorKind.notFound.exitCode)
        #expect(try await run(["network", "dhcp", "add", "100", "10.100.0.\(host)", "web\(host)", mac]).status == 0)
      }
    }
  }

  @Test("firewall rules through the binary over both transports: order, insertion, removal, refusals")
  func acls() async throws {
    try await Self.withConnections(port: 22797) { pvc, cluster in
      for connection in ["api", "zk"] {
        func run(_ arguments: [String]) async throws -> CommandResult { try await pvc(["-c", connection] + arguments) }
        #expect(try await run(["network", "acl", "add", "100", "-d", "ssh", "-r", "tcp dport 22 accept"]).status == 0)
        #expect(
          try await run(["network", "acl", "add", "100", "-d", "web", "-r", "tcp dport {80,443} accept"]).status == 0)
        let first = try await run([
          "network", "acl", "add", "100", "-d", "admin", "-o", "1", "-r", "ip saddr 10.0.0.0/8 accept",
        ])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(
          try await run(["network", "acl", "add", "100", "--out", "-d", "no-smtp", "-r", "tcp dport 25 drop"]).status
            == 0)
        let inbound = try await cluster.networks.acls(100, limit: nil, direction: .inbound)
        #expect(inbound.map(\.description) == ["admin", "ssh", "web"] && inbound.map(\.order) == [1, 2, 3])
        #expect(inbound[2].rule == "tcp dport { 80, 443 } counter accept")
        let listed = try UpstreamJSON.decoder.decode(
          [NetworkACL].self,
          from: Data(try await run(["network", "acl", "list", "100", "--out", "-f", "json"]).stdout.utf8))
        #expect(
          listed == [NetworkACL(description: "no-smtp", direction: "out", order: 1, rule: "tcp dport 25 counter drop")])

        let hostile = try await run(["network", "acl", "add", "100", "-d", "evil", "-r", "accept; flush ruleset"])
        #expect(
          hostile.status == ErrorKind.invalid.exitCode && hostile.stderr.contains("'accept;' is not part of"),
          "\(hostile.stderr)")
        let again = try await run(["network", "acl", "add", "100", "-d", "ssh", "-r", "drop"])
        #expect(again.status == ErrorKind.refused.exitCode)
        let bridged = try await run(["network", "acl", "add", "200", "-d", "x", "-r", "drop"])
        #expect(bridged.status == ErrorKind.invalid.exitCode && bridged.stderr.contains("bridged"))

        #expect(try await run(["network", "acl", "remove", "100", "admin", "-y"]).status == 0)
        let after = try await cluster.networks.acls(100, limit: nil, direction: .inbound)
        #expect(after.map(\.description) == ["ssh", "web"] && after.map(\.order) == [1, 2])
        #expect(
          try await run(["network", "acl", "remove", "100", "admin", "-y"]).status == ErrorKind.notFound.exitCode)
        for description in ["ssh", "web", "no-smtp"] {
          #expect(try await run(["network", "acl", "remove", "100", description, "-y"]).status == 0)
        }
      }
    }
  }

  @Test("SR-IOV functions recorded by a node: listed through the binary over both transports; VF settings checked")
  func sriov() async throws {
    try await Self.withConnections(port: 22798) { pvc, cluster in
      // What a node's pvcd records for a PF with one VF (there is no SR-IOV hardware here).
      let zk = try #require(cluster.zookeeper)
      let pf = try Layout.sriovPF("ens1f0", node: "hv1")
      let vf = try Layout.sriovVF("ens1f0v0", node: "hv1")
      try await zk.ensurePath(try Layout.node("hv1").path(.sriovPF))
      try await zk.ensurePath(try Layout.node("hv1").path(.sriovVF))
      var operations: [ZooKeeperOperation] = [
        .create(pf.path(.root), ""), .create(pf.path(.mtu), "1500"), .create(pf.path(.vfCount), "1"),
      ]
      for key in SRIOVVirtualKey.allCases {
        let value: String =
          switch key {
          case .pf: "ens1f0"
          case .mtu: "1500"
          case .mac: "52:54:00:5e:00:01"
          case .linkState: "auto"
          case .used, .spoofCheck, .trust, .queryRSS: "False"
          default: ""
          }
        operations.append(.create(vf.path(key), value))
      }
      _ = try await zk.multi(operations)
      for connection in ["api", "zk"] {
        let pfs = try UpstreamJSON.decoder.decode(
          [SRIOVPhysicalFunction].self,
          from: Data(
            try await pvc(["-c", connection, "network", "sriov", "pf", "list", "hv1", "-f", "json"]).stdout.utf8))
        #expect(pfs == [SRIOVPhysicalFunction(phy: "ens1f0", mtu: "1500", vfs: ["ens1f0v0"])], "\(connection)")
        let info = try await pvc(["-c", connection, "network", "sriov", "vf", "info", "hv1", "ens1f0v0"])
        #expect(info.status == 0 && info.stdout.contains("52:54:00:5e:00:01"), "\(info.stderr)")
        let missing = try await pvc(["-c", connection, "network", "sriov", "vf", "info", "hv1", "nope"])
        #expect(missing.status == ErrorKind.notFound.exitCode)
      }
      let api = try await PVCCluster.connect(
        .api(url: URL(string: "http://127.0.0.1:22798")!, key: APITestHarness.token))
      try await api.networks.setSRIOVVirtualFunction(
        node: "hv1", vf: "ens1f0v0", SRIOVVirtualFunctionChange(vlanID: 100, linkState: "enable", trust: true))
      let changed = try #require(try await cluster.networks.sriovVirtualFunctions(node: "hv1", pf: "ens1f0").first)
      #expect(changed.config.vlanID == "100" && changed.config.linkState == "enable" && changed.config.trust)
      for bad in [SRIOVVirtualFunctionChange(vlanID: 5000), SRIOVVirtualFunctionChange(linkState: "up")] {
        await #expect(throws: NetworkError.self) {
          try await api.networks.setSRIOVVirtualFunction(node: "hv1", vf: "ens1f0v0", bad)
        }
      }
      await #expect(throws: NetworkError.vfNotFound(node: "hv1", vf: "nope")) {
        try await cluster.networks.setSRIOVVirtualFunction(
          node: "hv1", vf: "nope", SRIOVVirtualFunctionChange(trust: true))
      }
      await api.close()
    }
  }

  @Test("connections: add, list (keys hidden), detail, remove; the file is private")
  func connections() async throws {
    try await Self.withConnections(port: 22794) { pvc, _ in
      let list = try await pvc(["connection", "list"])
      #expect(list.stdout.contains("test API") && list.stdout.contains("<hidden>"))
      #expect(!list.stdout.contains(APITestHarness.token))
      #expect(try await pvc(["connection", "list", "-k"]).stdout.contains(APITestHarness.token))
      let detail = try await pvc(["connection", "detail", "-f", "json"])
      let entries = try JSONSerialization.jsonObject(with: Data(detail.stdout.utf8)) as? [[String: Any]] ?? []
      #expect(entries.count == 2 && entries.allSatisfy { ($0["vms"] as? Int) == 6 }, "\(detail.stdout)")
      #expect(try await pvc(["connection", "remove", "zk"]).status == 0)
      #expect(try await pvc(["connection", "remove", "zk"]).status == ErrorKind.notFound.exitCode)
      #expect(try await pvc(["connection", "add", "bad name!", "-a", "x"]).status == 64)
      #expect(try await pvc(["connection", "add", "both", "-a", "x", "--zookeeper", "y"]).status == 64)
    }
  }

  @Test("vm modify and define --editor: the XML is edited in $EDITOR; no change, no write")
  func editing() async throws {
    let script = FileManager.default.temporaryDirectory.appendingPathComponent("pvc-editor-\(UUID().uuidString).sh")
    try "#!/bin/sh\nsed -i -e 's|<vcpu>2</vcpu>|<vcpu>3</vcpu>|' -e 's|<name>NAME</name>|<name>edited</name>|' \"$1\"\n"
      .write(to: script, atomically: true, encoding: .utf8)
    try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: script.path)
    defer { try? FileManager.default.removeItem(at: script) }
    try await Self.withConnections(port: 22795, editor: script.path) { pvc, cluster in
      let vm = UpstreamSeeder.name(1)
      #expect(try await cluster.vms.info(vm).vcpu == 2)
      let modified = try await pvc(["-c", "api", "vm", "modify", vm, "--editor"])
      #expect(modified.status == 0, "\(modified.stderr)")
      #expect(try await cluster.vms.info(vm).vcpu == 3)
      let unchanged = try await pvc(["-c", "zk", "vm", "modify", vm, "--editor"])
      #expect(unchanged.stdout.contains("No changes"), "\(unchanged.stdout) \(unchanged.stderr)")
      let defined = try await pvc(["-c", "zk", "vm", "define", "--editor"])
      #expect(defined.status == 0, "\(defined.stderr)")
      #expect(try await cluster.vms.info("edited").vcpu == 1)
      #expect(try await pvc(["-c", "zk", "vm", "modify", vm]).status == 64)
    }
  }
}
