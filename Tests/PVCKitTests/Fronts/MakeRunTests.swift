import Foundation
import PVCKit
import Testing

/// `make run` and `make stop`, for real: three nodes, ZooKeeper, pvcapi, pvcweb
/// and a demo VM come up, and nothing of them is left afterwards. It uses the
/// test build's binaries and a cluster of its own (state directory, namespace
/// prefix, network and ports), so that a user's `make run` cluster is left alone.
@Suite("make run", .serialized)
struct MakeRunTests {
  static let state = "/tmp/pvckit-runtest"
  static let prefix = "prt"
  static let api = 7380
  static let web = 7381

  static func make(_ target: String) throws -> (status: Int32, output: String) {
    var environment = ProcessInfo.processInfo.environment
    for name in [
      "PVCKIT_STATE", "ZK_PORT_BASE", "NODE_PREFIX", "NODE_NET", "PVCKIT_NODE_NET", "ZK_CLIENT_ADDRESS",
      "IPMI_PORT_BASE", "PVC_ZOOKEEPER", "PVC_CONFIG_FILE", "PVC_CONNECTION",
    ] {
      environment.removeValue(forKey: name)
    }
    environment["PVCKIT_RUN_BIN"] = TestServices.binDirectory.path
    environment["PVCKIT_RUN_STATE"] = state
    environment["PVCKIT_RUN_PREFIX"] = prefix
    environment["PVCKIT_RUN_NET"] = "10.77.5"
    environment["PVCKIT_RUN_ZK_PORT_BASE"] = "2480"
    environment["PVCKIT_RUN_IPMI_PORT_BASE"] = "24720"
    environment["PVCKIT_RUN_GALERA_PORT_BASE"] = "33306"
    environment["PVCKIT_RUN_API_PORT"] = String(api)
    environment["PVCKIT_RUN_WEB_PORT"] = String(web)
    let output = FileManager.default.temporaryDirectory.appendingPathComponent("make-\(target)-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: output) }
    let status = try TestServices.spawn(
      "/usr/bin/make", ["-C", TestServices.root.path, target], environment: environment, output: output.path)
    return (status, (try? String(contentsOf: output, encoding: .utf8)) ?? "")
  }

  @Test("make run starts a working cluster; make stop leaves nothing behind")
  func runAndStop() async throws {
    let run = try Self.make("run")
    defer { _ = try? Self.make("stop") }
    #expect(run.status == 0, "\(run.output.suffix(2000))")
    #expect(run.output.contains("PVCKit is running"))
    let config = "\(Self.state)/pvc.conf"
    let environment = ["PVC_CONFIG_FILE": config]
    let nodes = try TestServices.run("pvc", ["node", "list", "-f", "json"], environment: environment)
    let list = try JSONSerialization.jsonObject(with: Data(nodes.stdout.utf8)) as? [[String: Any]] ?? []
    #expect(
      list.count == 3
        && list.allSatisfy { $0["daemon_state"] as? String == "run" && $0["domain_state"] as? String == "ready" })
    #expect(list.filter { $0["coordinator_state"] as? String == "primary" }.count == 1)
    let demo = try TestServices.run("pvc", ["vm", "info", "demo", "-f", "json"], environment: environment)
    #expect(demo.stdout.contains("\"state\":\"start\""), "\(demo.stdout.prefix(300)) \(demo.stderr)")
    // The demo VM's firmware takes a DHCP lease on the managed demo network, seen through the CLI.
    #expect(
      try await eventually(timeout: .seconds(90)) {
        let leases = try TestServices.run(
          "pvc", ["network", "dhcp", "list", "100", "-f", "json"], environment: environment)
        return leases.stdout.contains("52:54:00:00:01:00") && leases.stdout.contains("10.100.0.")
      }, "the demo VM's lease on network 100")
    // PowerDNS on the primary answers the administrator's zone, and the demo VM by its name (from its lease).
    let floating = "10.77.5.250"
    #expect(try PowerDNSTests.dig(53, "www.example.org", "A", server: floating) == ["10.100.0.10"])
    #expect(
      try await eventually(timeout: .seconds(30)) {
        try PowerDNSTests.dig(53, "demo.demo.local", "A", server: floating).first?.hasPrefix("10.100.0.") == true
      }, "the demo VM's name")

    // The demo VM's disk is a volume in Ceph, recorded by PVC; the primary records Ceph's status.
    #expect(demo.stdout.contains("vms/demo-disk"), "\(demo.stdout.prefix(500))")
    let volumes = try TestServices.run("pvc", ["storage", "volume", "list", "-f", "raw"], environment: environment)
    #expect(volumes.stdout.contains("vms/demo-disk"), "\(volumes.stdout) \(volumes.stderr)")
    #expect(
      try await eventually(timeout: .seconds(30)) {
        try TestServices.run("pvc", ["storage", "status"], environment: environment).stdout.contains("HEALTH_")
      }, "Ceph's status recorded by the primary")

    // The configuration holds the token: root's alone, as is the state directory.
    let mode = { (path: String) in
      (try? FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int) ?? 0
    }
    #expect(mode(config) == 0o600 && mode(Self.state) == 0o700 && mode("\(Self.state)/nodes/hv1/pvc.conf") == 0o600)
    let text = try String(contentsOfFile: config, encoding: .utf8)
    let token = try #require(text.split(separator: "\n").first { $0.contains("token: \"") }?.split(separator: "\"")[1])
    let api = try TestServices.runTool(
      "/usr/bin/curl", ["-s", "-H", "X-Api-Key: \(token)", "http://127.0.0.1:\(Self.api)/api/v1/vm/demo"])
    #expect(api.output.contains("\"name\":\"demo\""))
    let web = try TestServices.runTool(
      "/usr/bin/curl", ["-s", "-o", "/dev/null", "-w", "%{http_code}", "http://127.0.0.1:\(Self.web)/login"])
    #expect(web.output == "200")

    let stop = try Self.make("stop")
    #expect(stop.status == 0, "\(stop.output.suffix(1000))")
    let namespaces = try TestServices.runTool("/usr/sbin/ip", ["netns", "list"]).output
    #expect(!namespaces.split(separator: "\n").contains { $0.hasPrefix("\(Self.prefix)-") }, "\(namespaces)")
    #expect(try TestServices.runTool("/usr/sbin/ip", ["link", "show", "\(Self.prefix)-br0"]).status != 0)
    let processes = try TestServices.runTool("/usr/bin/pgrep", ["-af", "pvckit-runtest"]).output
    #expect(processes.split(separator: "\n").filter { !$0.contains("pgrep") }.isEmpty, "\(processes)")
    #expect(!FileManager.default.fileExists(atPath: Self.state))
  }
}
