import Foundation
import PVCKit
import PVCKitFixtures
import Testing

/// Garbage written straight into ZooKeeper, into a VM's keys and a node's keys,
/// on a real cluster: pvcd on every node (the primary's serving the API),
/// and a pvcapi and a pvcweb process. Every daemon stays up, reports the bad
/// records as faults, and goes on serving everything else.
@Suite("Daemons and garbage in ZooKeeper", .serialized)
struct DaemonGarbageTests {
  static let token = APITestHarness.token
  /// The primary's API port (other tests' clusters serve theirs on 7370 in the same namespaces).
  static let dutyPort = 7391

  /// The HTTP status and body of a request, through curl (cookies kept in `jar`).
  static func curl(_ url: String, key: String? = token, jar: String? = nil, form: [String: String]? = nil) -> (
    status: Int, body: String
  ) {
    var arguments = ["-s", "--max-time", "10", "-w", "\n%{http_code}"]
    if let key { arguments += ["-H", "X-Api-Key: \(key)"] }
    if let jar { arguments += ["-c", jar, "-b", jar] }
    for (name, value) in form ?? [:] { arguments += ["--data-urlencode", "\(name)=\(value)"] }
    let output = (try? TestServices.runTool("/usr/bin/curl", arguments + [url]))?.output ?? ""
    let status = Int(output.split(separator: "\n").last ?? "") ?? 0
    return (status, String(output.dropLast(String(status).count)))
  }

  @Test("pvcd, pvcapi and pvcweb stay up through garbage in a VM's and a node's keys, report it, serve the rest")
  func garbage() async throws {
    let configuration = SimulatedNodeConfiguration.text(
      nodeNet: SimulatedNodes.net, api: (address: "0.0.0.0", port: Self.dutyPort, token: Self.token))
    try await NodeCluster.with(configuration: configuration) { nodes in
      let zk = try #require(nodes.cluster.zookeeper)
      let port = 27_000 + Int.random(in: 0..<1000)
      let api = try BackgroundProgram(
        "pvcapi",
        ["--config", nodes.configFile, "--zookeeper", nodes.hosts, "--listen", "127.0.0.1", "--port", "\(port)"])
      let web = try BackgroundProgram(
        "pvcweb",
        ["--config", nodes.configFile, "--zookeeper", nodes.hosts, "--listen", "127.0.0.1", "--port", "\(port + 1000)"])
      defer {
        api.stop()
        web.stop()
      }

      // A VM defined properly, then damaged behind PVCKit's back.
      let badUUID = UUID().uuidString.lowercased()
      let badName = "bad-\(badUUID.prefix(6))"
      let badXML = TestGuests.xml(name: badName, uuid: badUUID)
      _ = try await nodes.cluster.vms.define(VMDefinition(xml: badXML, node: "hv1"))
      let bad = try Layout.domain(badUUID)
      try await zk.multi([
        .set(bad.path(.xml), badXML.replacingOccurrences(of: "<memory unit='MiB'>64", with: "<memory unit='TiB'>inf")),
        .set(bad.path(.state), "st\u{1}art"), .set(bad.path(.node), "hv99999999999999999999"),
        .set(bad.path(.migrationMaxDowntime), "-1"), .set(bad.path(.stats), #"{"maxmem": 1e999}"#),
        .set(bad.path(.nodeLimit), String(repeating: "hv1,", count: 2000)),
      ])
      // A node's keys (its health, which its health plugins write again each round, and keys its daemon does not
      // rewrite), and a child of /nodes that is no node.
      let hv2 = try Layout.node("hv2")
      try await zk.multi([
        .set(hv2.path(.monitoringPlugins), "../x disk"), .set(hv2.path(.monitoringHealth), "1e999"),
        .set(hv2.path(.networkStats), "[[[["), .set(hv2.path(.staticData), "-99999999999999999999 x y z"),
      ])
      try await zk.create("/nodes/.bad", "x")
      try await zk.create("/nodes/.bad/memtotal", "inf")

      // The reconcilers still start a good VM.
      let goodUUID = UUID().uuidString.lowercased()
      _ = try await nodes.cluster.vms.define(
        VMDefinition(
          xml: TestGuests.xml(name: "good-\(goodUUID.prefix(6))", uuid: goodUUID), node: "hv3",
          initialState: .start))
      #expect(try await eventually(timeout: .seconds(30)) { SimulatedNodes.hosts(of: goodUUID) == ["hv3"] })

      // Every server answers, and keeps answering.
      let primary = try #require(try await nodes.cluster.nodes.primary())
      let duty = "http://\(SimulatedNodes.net).\(SimulatedNodes.number(primary)):\(Self.dutyPort)/api/v1"
      let own = "http://127.0.0.1:\(port)/api/v1"
      #expect(
        try await eventually(timeout: .seconds(20)) {
          Self.curl(own + "/").status == 200 && Self.curl(duty + "/").status == 200
        })
      for base in [duty, own] {
        for path in ["/status", "/node", "/node/hv2", "/vm", "/vm/\(badName)", "/faults", "/metrics"] {
          let answer = Self.curl(base + path)
          #expect(answer.status == 200, "GET \(base)\(path): \(answer.status) \(answer.body.prefix(300))")
        }
      }
      let jar = FileManager.default.temporaryDirectory.appendingPathComponent("jar-\(UUID().uuidString)").path
      defer { try? FileManager.default.removeItem(atPath: jar) }
      let site = "http://127.0.0.1:\(port + 1000)"
      #expect(try await eventually(timeout: .seconds(20)) { Self.curl(site + "/login", key: nil).status == 200 })
      let loginPage = Self.curl(site + "/login", key: nil, jar: jar).body
      var form = ["token": Self.token]
      if let csrf = loginPage.components(separatedBy: "name=\"csrf\" value=\"").dropFirst().first?.prefix(while: {
        $0 != "\""
      }) {
        form["csrf"] = String(csrf)
      }
      #expect(Self.curl(site + "/login", key: nil, jar: jar, form: form).status == 303)
      for path in ["/", "/nodes", "/nodes/hv2", "/vms", "/vms/\(badName)"] {
        let page = Self.curl(site + path, key: nil, jar: jar)
        #expect(page.status == 200, "GET \(path): \(page.status) \(page.body.prefix(300))")
      }

      // The bad records are reported as faults, by path.
      let faults = try await nodes.cluster.faults.list().filter { $0.id.hasPrefix("INVALID_RECORD") }.map(\.message)
      for path in ["/nodes/.bad", bad.path(.xml), bad.path(.migrationMaxDowntime), hv2.path(.networkStats)] {
        #expect(faults.contains { $0.contains("record \(path) ") }, "no fault for \(path): \(faults)")
      }
      // hv2's health plugins write its health again.
      #expect(
        try await eventually(timeout: .seconds(60)) {
          try await zk.string(hv2.path(.monitoringHealth)).flatMap { Int($0) }.map { (0...100).contains($0) } == true
        })

      // Every daemon is still up: the three node daemons keep beating, the servers run.
      // (Keepalive every second; under the load of the parallel phase a beat may take a few.)
      let paths = try ["hv1", "hv2", "hv3"].map { try Layout.node($0).path(.keepalive) }
      let beats = try await zk.getMany(paths).map { $0?.string }
      #expect(
        try await eventually(timeout: .seconds(15)) {
          zip(beats, try await zk.getMany(paths)).allSatisfy { $0 != $1?.string }
        }, "a node daemon stopped beating")
      for node in ["hv1", "hv2", "hv3"] {
        let pid = try #require(try SimulatedNodes.daemonPID(on: node, tag: nodes.tag))
        #expect(kill(pid, 0) == 0, "pvcd on \(node) died:\n\(nodes.daemonLog(node).suffix(2000))")
      }
      #expect(api.isRunning, "pvcapi died:\n\(api.output.suffix(2000))")
      #expect(web.isRunning, "pvcweb died:\n\(web.output.suffix(2000))")
    }
  }
}
