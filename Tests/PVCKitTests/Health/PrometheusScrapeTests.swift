import Foundation
import PVCKitFixtures
import Testing

@testable import PVCKit
@testable import PVCKitAPI

#if canImport(FoundationNetworking)
  import FoundationNetworking
#endif

/// A real Prometheus (Debian's) scrapes two pvcapi servers, one over a real simulated cluster with Ceph (nodes, OSDs,
/// pools) and one over an upstream-layout cluster (VMs with disks, NICs, VNC and statistics, a fault), and answers a
/// PromQL query for every family of spec/metrics.md with upstream's label names.
@Suite("Prometheus scrapes", .serialized)
struct PrometheusScrapeTests {
  static let prometheus = "/usr/bin/prometheus"
  static let prometheusPort = 29_090
  static let ports = (cluster: 22_900, seeded: 22_901)

  /// Runs Prometheus on loopback with a scrape configuration, in its own directory; stopped by its pid.
  static func withPrometheus(scraping targets: [Int], _ body: () async throws -> Void) async throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("prometheus-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let jobs = targets.map { port in
      """
        - job_name: pvc\(port)
          scrape_interval: 1s
          metrics_path: /api/v1/metrics
          static_configs:
            - targets: ["127.0.0.1:\(port)"]
              labels: {pvc_cluster_id: "c\(port)"}
      """
    }.joined(separator: "\n")
    let configuration = directory.appendingPathComponent("prometheus.yml")
    try "global:\n  scrape_interval: 1s\nscrape_configs:\n\(jobs)\n".write(
      to: configuration, atomically: true, encoding: .utf8)
    let process = Process()
    process.executableURL = URL(fileURLWithPath: prometheus)
    process.arguments = [
      "--config.file=\(configuration.path)", "--storage.tsdb.path=\(directory.appendingPathComponent("data").path)",
      "--web.listen-address=127.0.0.1:\(prometheusPort)", "--log.level=warn",
    ]
    let log = directory.appendingPathComponent("prometheus.log")
    FileManager.default.createFile(atPath: log.path, contents: nil)
    process.standardOutput = try FileHandle(forWritingTo: log)
    process.standardError = try FileHandle(forWritingTo: log)
    try process.run()
    defer {
      kill(process.processIdentifier, SIGTERM)
      process.waitUntilExit()
    }
    #expect(
      try await eventually(timeout: .seconds(30)) { (try? await Self.get("/-/ready"))?.contains("Ready") == true },
      "Prometheus did not start: \((try? String(contentsOf: log, encoding: .utf8)) ?? "")")
    try await body()
  }

  static func get(_ path: String) async throws -> String {
    let url = URL(string: "http://127.0.0.1:\(prometheusPort)\(path)")!
    let (data, _) = try await URLSession.shared.data(from: url)
    return String(decoding: data, as: UTF8.self)
  }

  /// The label names of each series a PromQL query answers (Prometheus' own `job`, `instance` and the cluster
  /// label left out).
  static func labelSets(_ query: String) async throws -> [Set<String>] {
    let encoded = query.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? query
    let answer = try await get("/api/v1/query?query=\(encoded)")
    guard let object = try JSONSerialization.jsonObject(with: Data(answer.utf8)) as? [String: Any],
      let data = object["data"] as? [String: Any], let result = data["result"] as? [[String: Any]]
    else { return [] }
    return result.compactMap { ($0["metric"] as? [String: String]).map { Set($0.keys) } }.map {
      $0.subtracting(["__name__", "job", "instance", "pvc_cluster_id"])
    }
  }

  @Test("every family of spec/metrics.md answers a PromQL query with upstream's labels, from two real clusters")
  func everyFamily() async throws {
    #expect(FileManager.default.isExecutableFile(atPath: Self.prometheus), "install-deps.sh monitoring")
    // An upstream-layout cluster: VMs with disks, NICs, VNC and statistics, and a fault.
    let seeded = try await PVCCluster.connect(.zookeeper(hosts: try await TestServices.chroot()))
    defer { Task { await seeded.close() } }
    try await UpstreamSeeder(zookeeper: seeded.zookeeper!, vms: 6).seed()
    try await seeded.faults.report([FaultReport(id: "VM_FAILED_x", healthDelta: 10, message: "VM x failed")])
    // Labels whose values are empty are absent in Prometheus: one VM has each.
    let vm = try Layout.domain(UpstreamSeeder.uuid(1))
    try await seeded.zookeeper!.multi([
      .set(vm.path(.state), "fail"), .set(vm.path(.failedReason), "no disk"), .set(vm.path(.lastNode), "hv2"),
      .set(vm.path(.nodeLimit), "hv1,hv2"),
    ])
    let seededServer = try await APIServer(
      cluster: seeded, settings: .init(address: "127.0.0.1", port: Self.ports.seeded, tokens: [APITestHarness.token])
    ).start()
    let configuration = SimulatedNodeConfiguration.text(
      nodeNet: NodeCluster.nodeNet, ceph: TestServices.cephConfiguration)
    try await NodeCluster.with(configuration: configuration) { nodes in
      let cluster = try await PVCCluster.connect(
        .zookeeper(hosts: nodes.hosts), ceph: CephAccess(configurationFile: TestServices.cephConfiguration))
      let pool = "prom-\(UUID().uuidString.prefix(6).lowercased())"
      try await cluster.storage.addPool(pool, pgs: 8, replication: "copies=2,mincopies=1", tier: "default")
      // The test Ceph's OSDs as an upstream cluster records them; the primary keeps their figures.
      let zookeeper = try #require(cluster.zookeeper)
      for id in 0..<3 {
        let ref = try Layout.osd(String(id))
        for key in OSDKey.allCases where key != .stats {
          let values: [OSDKey: String] = [
            .root: String(id), .node: "hv\(id + 1)", .device: "/dev/memstore", .dbDevice: "/dev/osd-db/\(id)",
          ]
          let value = values[key] ?? ""
          _ = try? await zookeeper.create(ref.path(key), value)
        }
      }
      let server = try await APIServer(
        cluster: cluster,
        settings: .init(address: "127.0.0.1", port: Self.ports.cluster, tokens: [APITestHarness.token])
      ).start()
      do {
        #expect(
          try await eventually(timeout: .seconds(60)) {
            try await cluster.storage.osds(limit: nil).allSatisfy { CephMetrics.number($0.stats, "kb") > 0 }
          }, "the primary did not record the OSDs' figures")
        try await Self.withPrometheus(scraping: [Self.ports.cluster, Self.ports.seeded]) {
          let families = APIRouteTests.upstreamFamilies
          #expect(families.count == 127)
          _ = try await eventually(timeout: .seconds(60)) {
            for (family, _) in families where try await Self.labelSets(family).isEmpty { return false }
            return true
          }
          var missing: [String] = []
          for (family, _) in families where try await Self.labelSets(family).isEmpty { missing.append(family) }
          #expect(missing.isEmpty, "Prometheus has no series of \(missing)")
          // Each series has upstream's labels (those with empty values are absent, as in Prometheus), and together
          // they have all of them.
          for (family, labels) in families {
            let sets = try await Self.labelSets(family)
            #expect(sets.allSatisfy { $0.isSubset(of: Set(labels)) }, "\(family): \(sets) are not within \(labels)")
            #expect(
              sets.reduce(Set<String>()) { $0.union($1) } == Set(labels), "\(family): \(sets) lack some of \(labels)")
          }
          // PromQL over them: the nodes of the real cluster, by daemon state; the OSDs up.
          let running = try await Self.get(
            "/api/v1/query?query=" + "pvc_node_daemon_states{state=\"run\",pvc_cluster_id=\"c\(Self.ports.cluster)\"}"
              .addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)
          #expect(running.contains("\"3\""), "\(running)")
          // The scrapes themselves are requests: counted after each answer, seen by the next scrape.
          #expect(
            try await eventually(timeout: .seconds(30)) {
              !(try await Self.labelSets("pvckit_api_requests_total")).isEmpty
            })
        }
      } catch {
        await server.stop()
        await seededServer.stop()
        try? await cluster.storage.removePool(pool)
        await cluster.close()
        throw error
      }
      await server.stop()
      await seededServer.stop()
      try await cluster.storage.removePool(pool)
      await cluster.close()
    }
  }
}
