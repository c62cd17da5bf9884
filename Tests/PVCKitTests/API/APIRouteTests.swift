import Foundation
import HTTPTypes
import PVCKit
import PVCKitFixtures
import PVCKitServer
import Testing

@testable import PVCKitAPI

/// The HTTP API in process (HummingbirdTesting) over a real ZooKeeper.
@Suite("HTTP API: routes")
struct APIRouteTests {
  @Test("the root answers without a key; protected routes want one; login sessions work")
  func authentication() async throws {
    try await APITestHarness.with { api in
      let root = try await api.call(.get, "/", key: nil)
      #expect(root.status == 200 && root.message == "PVC API version 1.0")
      let missing = try await api.call(.get, "/status", key: nil)
      #expect(missing.status == 401 && missing.message == "X-Api-Key Authentication required.")
      let wrong = try await api.call(.get, "/status", key: "test-token-0123456788")
      #expect(wrong.status == 401 && wrong.message == "X-Api-Key Authentication failed.")
      #expect(try await api.call(.get, "/status").status == 200)

      // The token goes in the body: never in a URL (logs, histories).
      let inURL = try await api.call(.post, "/login", [("token", APITestHarness.token)], key: nil)
      #expect(inURL.status == 400 && inURL.parameterErrors?["token"]?.contains("never in the URL") == true)
      let refused = try await api.call(.post, "/login", [("token", "nope")], form: true, key: nil)
      #expect(refused.status == 401)
      let login = try await api.call(.post, "/login", [("token", APITestHarness.token)], form: true, key: nil)
      #expect(login.status == 200)
      let csrf = try #require((login.object?["csrf_token"] as? String))
      let cookie = try #require(login.headers[.setCookie]?.split(separator: ";").first.map(String.init))
      #expect(cookie.hasPrefix("pvc_session=") && login.headers[.setCookie]!.contains("HttpOnly"))
      #expect(try await api.call(.get, "/status", key: nil, headers: [.cookie: cookie]).status == 200)
      // A change on the strength of the cookie alone (what a forged cross-site form sends) is refused.
      let forged = try await api.call(
        .post, "/status", [("state", "true")], form: true, key: nil, headers: [.cookie: cookie])
      #expect(forged.status == 403 && forged.message?.contains("X-CSRF-Token") == true)
      #expect(try await api.cluster.status().maintenance == false)
      var withToken: HTTPFields = [.cookie: cookie]
      withToken[APIAuthenticator.csrfHeader] = csrf
      let allowed = try await api.call(.post, "/status", [("state", "false")], form: true, key: nil, headers: withToken)
      #expect(allowed.status == 200)
      #expect(try await api.call(.post, "/logout", key: nil, headers: [.cookie: cookie]).status == 200)
      #expect(try await api.call(.get, "/status", key: nil, headers: [.cookie: cookie]).status == 401)
      // Five wrong tokens a minute from one address, then even the right one waits.
      for _ in 0..<5 {
        #expect(try await api.call(.post, "/login", [("token", "x")], form: true, key: nil).status == 401)
      }
      let throttled = try await api.call(.post, "/login", [("token", APITestHarness.token)], form: true, key: nil)
      #expect(throttled.status == 429 && throttled.headers[.retryAfter] != nil)
    }
  }

  @Test("every route upstream protects refuses a request without a key; the open ones answer")
  func everyRouteWantsAKey() async throws {
    try await APITestHarness.with { api in
      let open: Set<String> = [
        "/", "/login", "/logout", "/status/primary_node", "/metrics", "/metrics/health",
        "/metrics/resource", "/metrics/ceph", "/metrics/zookeeper",
      ]
      for route in api.server.routes {
        let path = route.path.replacingOccurrences(of: "{", with: "x").replacingOccurrences(of: "}", with: "")
        let response = try await api.call(route.method, path, key: nil)
        if route.isOpen {
          #expect(open.contains(route.path), "\(route.path) is open but upstream protects it")
          #expect(response.status != 401, "\(route.method) \(route.path)")
        } else {
          #expect(response.status == 401, "\(route.method) \(route.path) answered \(response.status) without a key")
        }
      }
      #expect(api.server.routes.filter(\.isOpen).count == open.count)
    }
  }

  @Test("nodes and VMs list in upstream's shapes: lists, one-element lists for one, 404 for none")
  func listings() async throws {
    try await APITestHarness.with(vms: 12) { api in
      let nodes = try await api.call(.get, "/node")
      #expect(nodes.status == 200 && nodes.list?.count == 3)
      let hv2 = try await api.call(.get, "/node/hv2")
      #expect(hv2.list?.count == 1 && hv2.list?.first?["name"] as? String == "hv2")
      #expect(try await api.call(.get, "/node/hv9").status == 404)
      let filtered = try await api.call(.get, "/node", [("limit", "hv9")])
      #expect(filtered.status == 404 && filtered.message == "Node not found.")
      #expect(try await api.call(.get, "/node/hv1/daemon-state").object?["daemon_state"] as? String == "run")

      let vms = try await api.call(.get, "/vm")
      #expect(vms.status == 200 && vms.list?.count == 12)
      let onHV1 = try await api.call(.get, "/vm", [("node", "hv1")])
      #expect(onHV1.list?.count == 4)
      let notOnHV1 = try await api.call(.get, "/vm", [("node", "hv1"), ("negate", "yes")])
      #expect(notOnHV1.list?.count == 8)
      let one = try await api.call(.get, "/vm/\(UpstreamSeeder.name(3))")
      #expect(one.list?.count == 1 && one.list?.first?["uuid"] as? String == UpstreamSeeder.uuid(3))
      let none = try await api.call(.get, "/vm/nothere")
      #expect(none.status == 404 && none.message == "VM not found.")
      #expect(try await api.call(.get, "/vm", [("limit", "^nothing$")]).status == 404)
      let badRegex = try await api.call(.get, "/vm", [("limit", "(")])
      #expect(badRegex.status == 400)
      let node = try await api.call(.get, "/vm/\(UpstreamSeeder.name(3))/node")
      #expect(node.object?["node"] as? String == "hv3")
    }
  }

  @Test("with a certificate and key configured, the server speaks HTTPS: TLS 1.2 at least, HSTS")
  func tls() async throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("pvckit-tls-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let (certificate, key) = (
      directory.appendingPathComponent("cert.pem").path, directory.appendingPathComponent("key.pem").path
    )
    let openssl = try TestServices.runTool(
      "/usr/bin/openssl",
      [
        "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", certificate, "-days", "1", "-subj",
        "/CN=localhost",
      ])
    #expect(openssl.status == 0)
    let hosts = try await TestServices.chroot()
    let cluster = try await PVCCluster.connect(.zookeeper(hosts: hosts))
    try await cluster.initialize()
    let port = 22790
    let server = APIServer(
      cluster: cluster,
      settings: .init(port: port, tokens: [APITestHarness.token], certificateFile: certificate, privateKeyFile: key))
    let serving = try await server.start()
    let answered = try await eventually(timeout: .seconds(10)) {
      let curl = try await TestServices.offPool {
        try TestServices.runTool(
          "/usr/bin/curl",
          ["-sk", "-H", "X-Api-Key: \(APITestHarness.token)", "https://127.0.0.1:\(port)/api/v1/status"])
      }
      return curl.status == 0 && curl.output.contains("cluster_health")
    }
    #expect(answered)
    let headers = try await TestServices.offPool {
      try TestServices.runTool(
        "/usr/bin/curl", ["-sk", "-D", "-", "-o", "/dev/null", "https://127.0.0.1:\(port)/api/v1/"])
    }
    #expect(headers.output.lowercased().contains("strict-transport-security: max-age=31536000"))
    let old = try await TestServices.offPool {
      try TestServices.runTool(
        "/usr/bin/openssl",
        ["s_client", "-connect", "127.0.0.1:\(port)", "-tls1_1", "-cipher", "DEFAULT@SECLEVEL=0"])
    }
    #expect(old.status != 0, "TLS 1.1 was accepted")
    let weak = try await TestServices.offPool {
      try TestServices.runTool(
        "/usr/bin/openssl", ["s_client", "-connect", "127.0.0.1:\(port)", "-tls1_2", "-cipher", "AES128-SHA"])
    }
    #expect(weak.status != 0, "a cipher without forward secrecy was accepted")
    let plain = try TestServices.runTool(
      "/usr/bin/curl", ["-s", "--max-time", "2", "http://127.0.0.1:\(port)/api/v1/"])
    #expect(!plain.output.contains("PVC API version"), "plain HTTP must not be served")
    await serving.stop()
    await cluster.close()
  }

  @Test("VM listings come from a watch-fed view that follows changes; the server's own writes are seen at once")
  func listingView() async throws {
    try await APITestHarness.with(vms: 5) { api in
      #expect(try await api.call(.get, "/vm").list?.count == 5)
      #expect(try await eventually(timeout: .seconds(10)) { api.server.listing.usesView })
      let first = try await api.call(.get, "/vm")
      #expect(first.list?.count == 5)
      #expect(try await api.call(.get, "/vm").body == first.body)
      try await api.cluster.vms.stop(UpstreamSeeder.name(1))
      #expect(
        try await eventually(timeout: .seconds(10)) {
          try await api.call(.get, "/vm", [("state", "stop")]).list?.count == 1
        })
      // A write through the API is visible in the very next listing, which still comes from the view.
      for round in 1...10 {
        let uuid = UUID().uuidString.lowercased()
        let defined = try await api.call(
          .post, "/vm", [("xml", TestGuests.xml(name: "fresh\(round)", uuid: uuid))], form: true)
        #expect(defined.status == 200)
        #expect(try await api.call(.get, "/vm", [("limit", "fresh\(round)")]).list?.count == 1, "round \(round)")
        let stopped = try await api.call(.post, "/vm/fresh\(round)/state", [("state", "disable")], form: true)
        #expect(stopped.status == 200)
        let listed = try await api.call(.get, "/vm", [("limit", "fresh\(round)")]).list
        #expect(listed?.first?["state"] as? String == "disable", "round \(round)")
      }
      #expect(api.server.listing.usesView)
    }
  }

  @Test("a VM's life through the API: define, metadata, tags, state, rename, remove")
  func vmLifecycle() async throws {
    try await APITestHarness.with(vms: 3) { api in
      let uuid = UUID().uuidString.lowercased()
      let define = try await api.call(
        .post, "/vm",
        [
          ("xml", TestGuests.xml(name: "api-vm", uuid: uuid)), ("node", "hv2"), ("limit", "hv1,hv2"),
          ("selector", "vms"), ("autostart", "true"), ("migration_method", "live"), ("user_tags", "web"),
          ("user_tags", "db"), ("protected_tags", "prod"),
        ], form: true)
      #expect(define.status == 200, "\(define.text)")
      #expect(define.message == "Added new VM with Name \"api-vm\" and UUID \"\(uuid)\" to database.")
      let info = try await api.cluster.vms.info("api-vm")
      #expect(info.node == "hv2" && info.nodeLimit == ["hv1", "hv2"] && info.nodeSelector == "vms")
      #expect(Set(info.tags.map(\.name)) == ["web", "db", "prod"] && info.tags.first { $0.name == "prod" }!.protected)

      let duplicate = try await api.call(
        .post, "/vm", [("xml", TestGuests.xml(name: "api-vm", uuid: uuid))], form: true)
      #expect(duplicate.status == 400 && duplicate.message?.hasPrefix("ERROR: ") == true)

      let meta = try await api.call(.get, "/vm/api-vm/meta")
      #expect(meta.object?["node_selector"] as? String == "vms" && meta.object?["node_autostart"] as? Bool == true)
      #expect(try await api.call(.post, "/vm/api-vm/meta", [("migration_max_downtime", "500")]).status == 200)
      #expect(try await api.cluster.vms.info("api-vm").migrationMaxDowntime == 500)

      #expect(try await api.call(.post, "/vm/api-vm/tags", [("action", "remove"), ("tag", "db")]).status == 200)
      let protectedRemoval = try await api.call(.post, "/vm/api-vm/tags", [("action", "remove"), ("tag", "prod")])
      #expect(protectedRemoval.status == 400)
      let tags = try await api.call(.get, "/vm/api-vm/tags")
      #expect((tags.object?["tags"] as? [[String: Any]])?.count == 2)

      #expect(try await api.call(.post, "/vm/api-vm/state", [("state", "start")]).status == 200)
      #expect(try await api.call(.get, "/vm/api-vm/state").object?["state"] as? String == "start")
      let renameRunning = try await api.call(.post, "/vm/api-vm/rename", [("new_name", "api-vm2")])
      #expect(renameRunning.status == 400)
      // The kind of failure rides along, for PVCKit's HTTP client (Documentation/Errors.md).
      #expect(renameRunning.headers[HTTPField.Name("X-PVCKit-Error")!] == "refused")
      #expect(try await api.call(.post, "/vm/api-vm/state", [("state", "stop")]).status == 200)
      #expect(try await api.call(.post, "/vm/api-vm/rename", [("new_name", "api-vm2")]).status == 200)
      #expect(try await api.call(.delete, "/vm/api-vm2").status == 200)
      let gone = try await api.call(.get, "/vm/api-vm2")
      #expect(gone.status == 404 && gone.headers[HTTPField.Name("X-PVCKit-Error")!] == "not_found")
      #expect(try await api.call(.delete, "/vm/api-vm2").status == 404)
    }
  }

  @Test("parameters are checked: a 400 naming the parameter, and nothing changes")
  func badParameters() async throws {
    try await APITestHarness.with(vms: 2) { api in
      let before = try await api.cluster.backup()
      let badBool = try await api.call(.get, "/vm", [("negate", "perhaps")])
      #expect(badBool.status == 400 && badBool.parameterErrors?["negate"] != nil)
      let missing = try await api.call(.post, "/vm/\(UpstreamSeeder.name(1))/state")
      #expect(missing.status == 400 && missing.parameterErrors?["state"] != nil)
      let badChoice = try await api.call(.post, "/vm/\(UpstreamSeeder.name(1))/state", [("state", "explode")])
      #expect(badChoice.status == 400 && badChoice.parameterErrors?["state"]?.contains("start") == true)
      let control = try await api.call(.get, "/node", [("limit", "a\u{1}b")])
      #expect(control.status == 400 && control.parameterErrors?["limit"] != nil)
      let badXML = try await api.call(.post, "/vm", [("xml", "<domain><name>x</name")], form: true)
      #expect(badXML.status == 400)
      let unconfirmed = try await api.call(
        .post, "/initialize", [("overwrite", "true"), ("yes-i-really-mean-it", "no")])
      #expect(unconfirmed.status == 400 && unconfirmed.parameterErrors?["yes-i-really-mean-it"] != nil)
      let range = try await api.call(.get, "/vm/\(UpstreamSeeder.name(1))/console", [("lines", "-5")])
      #expect(range.status == 400)
      let huge = try await api.call(.post, "/vm", [("xml", String(repeating: "x", count: 2 << 20))], form: true)
      #expect(huge.status == 413)
      let unknown = try await api.call(.get, "/no/such/thing")
      #expect(unknown.status == 404 && unknown.message != nil)
      #expect(try await api.cluster.backup().sameData(as: before))
    }
  }

  @Test("cluster: status, maintenance, primary node, backup and restore, initialize")
  func cluster() async throws {
    try await APITestHarness.with(vms: 3) { api in
      let status = try await api.call(.get, "/status")
      #expect((status.object?["vms"] as? [String: Any])?["total"] as? Int == 3)
      #expect(
        try await api.call(.post, "/status", [("state", "true")]).message
          == "Successfully set cluster in maintenance mode")
      #expect(try await api.cluster.status().maintenance)
      #expect(try await api.call(.post, "/status", [("state", "false")]).status == 200)
      try await api.cluster.zookeeper!.set(Layout.base.path(.primaryNode), "none")
      #expect(try await api.call(.get, "/status/primary_node", key: nil).status == 204)
      try await api.cluster.zookeeper!.set(Layout.base.path(.primaryNode), "hv2")
      #expect(try await api.call(.get, "/status/primary_node", key: nil).object?["primary_node"] as? String == "hv2")

      let backup = try await api.call(.get, "/backup")
      let text = try #require(backup.json as? String, "the backup is a JSON string, as upstream's")
      let before = try await api.cluster.backup()
      #expect(try ClusterBackup(json: Data(text.utf8)) == before)
      #expect(
        try await api.call(.post, "/initialize", [("overwrite", "true"), ("yes-i-really-mean-it", "yes")]).status == 200
      )
      #expect(try await api.cluster.vms.list().isEmpty)
      #expect(try await api.call(.get, "/vm").status == 404)
      let restore = try await api.call(
        .post, "/restore", [("yes-i-really-mean-it", "yes"), ("cluster_data", text)], form: true)
      #expect(restore.status == 200, "\(restore.text)")
      #expect(try await api.cluster.vms.list().count == 3)
    }
  }

  @Test("faults: list, one, acknowledge, delete")
  func faults() async throws {
    try await APITestHarness.with { api in
      try await api.cluster.faults.report([
        FaultReport(id: "DEAD_NODE_hv2", healthDelta: 50, message: "Node hv2 was dead and fenced"),
        FaultReport(id: "VM_FAILED_web", healthDelta: 10, message: "VM web failed"),
      ])
      let list = try await api.call(.get, "/faults", [("sort_key", "health_delta")])
      #expect(list.list?.map { $0["id"] as? String } == ["DEAD_NODE_hv2", "VM_FAILED_web"])
      #expect(try await api.call(.get, "/faults/VM_FAILED_web").list?.count == 1)
      #expect(try await api.call(.get, "/faults/NOPE").status == 404)
      #expect(try await api.call(.put, "/faults/VM_FAILED_web").status == 200)
      #expect(try await api.cluster.faults.fault("VM_FAILED_web").isAcknowledged)
      #expect(try await api.call(.delete, "/faults/DEAD_NODE_hv2").status == 200)
      #expect(try await api.call(.put, "/faults").status == 200)
      #expect(try await api.call(.delete, "/faults").status == 200)
      #expect(try await api.cluster.faults.list().isEmpty)
    }
  }

  @Test("metrics in Prometheus' text format, open: upstream's families with upstream's labels, and PVCKit's")
  func metrics() async throws {
    try await APITestHarness.with(vms: 3) { api in
      _ = try await api.call(.get, "/vm")
      let metrics = try await api.call(.get, "/metrics", key: nil)
      #expect(metrics.status == 200)
      let text = metrics.text
      #expect(text.contains("# TYPE pvc_vms gauge"))
      #expect(text.contains("pvc_info{primary_node=\""))
      #expect(text.contains("pvc_node_health{node=\"hv1\"}"))
      #expect(text.contains("pvc_vm_state{state=\"start\",vm=\"\(UpstreamSeeder.name(1))\"}"), "\(text.prefix(3000))")
      #expect(text.contains("pvc_vm_states{state=\"fail\"} 0"))
      #expect(text.contains("pvc_node_daemon_states{state=\"run\"}"))
      #expect(text.contains("pvc_vm_vcpus{vm=\"\(UpstreamSeeder.name(2))\"}"))
      #expect(text.contains("zk_up{server="))
      #expect(text.contains("pvckit_status_age_seconds"))
      #expect(
        text.contains("pvckit_api_requests_total{method=\"GET\",route=\"/vm\",code=\"200\"}"), "\(text.suffix(2000))")
      #expect(text.contains("pvckit_api_request_duration_seconds_bucket{method=\"GET\",route=\"/vm\""))
      // Every family named in spec/metrics.md's table that this cluster has, by its labels.
      for (family, labels) in Self.upstreamFamilies
      where !family.hasPrefix("pvc_ceph") && family != "pvc_cluster_faults" {
        let sample = text.split(separator: "\n").first { $0.hasPrefix(family + "{") || $0.hasPrefix(family + " ") }
        let line = try #require(sample, "no \(family)")
        let names = Self.labelNames(String(line))
        #expect(names == labels, "\(family): \(names) is not \(labels)")
      }
      let health = try await api.call(.get, "/metrics/health", key: nil).text
      #expect(health.contains("pvc_cluster_health"))
      #expect(!health.contains("pvc_vm_vcpus"))
      #expect(try await api.call(.get, "/metrics/zookeeper", key: nil).text.contains("zk_server_state{"))
    }
  }

  @Test("with enable_prometheus off the metrics routes say so")
  func metricsOff() async throws {
    var settings = APIServer.Settings(tokens: [APITestHarness.token])
    settings.prometheus = false
    try await APITestHarness.with(settings: settings) { api in
      for path in ["/metrics", "/metrics/health", "/metrics/resource", "/metrics/ceph", "/metrics/zookeeper"] {
        let answer = try await api.call(.get, path, key: nil)
        #expect(answer.status == 404 && answer.text.contains("not enabled"), "\(path)")
      }
    }
  }

  /// spec/metrics.md's families and their label names (sorted), from its table.
  static let upstreamFamilies: [(String, [String])] = {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
      "../Fixtures/upstream-metrics.txt")
    let text = (try? String(contentsOf: url.standardizedFileURL, encoding: .utf8)) ?? ""
    return text.split(separator: "\n").compactMap { line in
      let parts = line.split(separator: " ").map(String.init)
      guard let name = parts.first else { return nil }
      return (name, parts.dropFirst().sorted())
    }
  }()

  /// The label names of a sample line.
  static func labelNames(_ line: String) -> [String] {
    guard let open = line.firstIndex(of: "{"), let close = line.lastIndex(of: "}") else { return [] }
    var names: [String] = []
    var inQuotes = false
    var current = ""
    var escaped = false
    for character in line[line.index(after: open)..<close] {
      if inQuotes {
        if escaped {
          escaped = false
        } else if character == "\\" {
          escaped = true
        } else if character == "\"" {
          inQuotes = false
        }
        continue
      }
      switch character {
      case "=":
        names.append(current)
        current = ""
      case "\"": inQuotes = true
      case ",": current = ""
      default: current.append(character)
      }
    }
    return names.sorted()
  }

  @Test("the OpenAPI document lists exactly the routes: upstream's paths, and PVCKit's extensions marked")
  func openAPI() async throws {
    try await APITestHarness.with { api in
      let document = try await api.call(.get, "/openapi.json")
      let paths = try #require(document.object?["paths"] as? [String: [String: Any]])
      let documented = Set(paths.flatMap { path, operations in operations.keys.map { "\($0.uppercased()) \(path)" } })
      let routed = Set(api.server.routes.map { "\($0.method.rawValue) \(APIServer.prefix)\($0.path)" })
      #expect(documented == routed)
      let upstream = try UpstreamContract.load()
      for route in api.server.routes where route.path != "/openapi.json" {
        let operation = paths[APIServer.prefix + route.path]?[route.method.rawValue.lowercased()] as? [String: Any]
        if route.spec.isExtension {
          // PVCKit's own endpoints say so in the document, and really are not upstream's.
          #expect(operation?["x-pvckit-extension"] as? Bool == true, "\(route.spec.id) is not marked")
          #expect(!upstream.has(route.method.rawValue, route.path), "\(route.spec.id) is upstream's")
        } else {
          #expect(
            upstream.has(route.method.rawValue, route.path),
            "\(route.method) \(route.path) is not an upstream endpoint")
          #expect(operation?["x-pvckit-extension"] == nil)
        }
      }
      #expect(api.server.routes.contains { $0.spec.id == "dns.record-add" && $0.spec.isExtension })
    }
  }
}
