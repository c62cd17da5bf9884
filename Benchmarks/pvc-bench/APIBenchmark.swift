import Foundation
import Hummingbird
import PVCKit
import PVCKitAPI
import PVCKitFixtures
import PVCKitServer

/// The HTTP API under load from a second process (wrk, 20 connections) against
/// the same listing through PVCKit in process (20 concurrent tasks), both in
/// this run, over an upstream-layout cluster of `vms` VMs.
struct APIBenchmark {
  var hosts: String
  var vms: Int
  var seconds: Int
  var connections = 20
  var port = 23780

  static let token = "bench-token"

  func run() async throws -> Report {
    let root = "/pvc-bench-api-\(ProcessInfo.processInfo.processIdentifier)"
    let admin = try await ZooKeeper.connect(to: hosts)
    try await admin.create(root, "")
    let cluster = try await PVCCluster.connect(.zookeeper(hosts: hosts + root))
    try await UpstreamSeeder(zookeeper: cluster.zookeeper!, vms: vms).seed()
    let server = APIServer(
      cluster: cluster, settings: .init(address: "127.0.0.1", port: port, tokens: [Self.token]))
    let serving = try await server.start()

    var report = Report(
      title:
        "HTTP API: \(vms) VMs, \(connections) concurrent clients for \(seconds) s each (wrk in a second process vs PVCKit in process)"
    )
    let view = try await VMView.start(zookeeper: cluster.zookeeper!)
    defer { Task { await view.stop() } }
    // The server follows its cluster (watch-fed views); the baselines that read ZooKeeper use a plain connection.
    let plain = try await PVCCluster.connect(.zookeeper(hosts: hosts + root))
    // What each HTTP figure is compared with: the same answer made in process, with and without the caches.
    let baselines: [(String, String, @Sendable () async throws -> Void)] = [
      (
        "/api/v1/vm", "the same cached answer in process (server.vmListBody: view + encoded cache, no HTTP)",
        { @Sendable in _ = try await server.vmListBody(VMFilter()) }
      ),
      (
        "/api/v1/vm", "list from the watch-fed view in process (no encoded cache, not encoded)",
        { @Sendable in _ = try view.list(VMFilter()) }
      ),
      (
        "/api/v1/vm", "list read from ZooKeeper in process (no view, not encoded)",
        { @Sendable in _ = try await plain.vms.list() }
      ),
      (
        "/api/v1/node", "node list read from ZooKeeper in process (not encoded)",
        { @Sendable in _ = try await plain.nodes.list() }
      ),
      (
        "/api/v1/status", "status read from ZooKeeper in process (not encoded)",
        { @Sendable in _ = try await plain.status() }
      ),
      (
        "/api/v1/metrics", "the same held answer in process (server.metricsBody: held figures, no HTTP)",
        { @Sendable in _ = try await server.metricsBody() }
      ),
      (
        "/api/v1/metrics", "the same families read from ZooKeeper and rendered in process each time (nothing held)",
        { @Sendable in _ = try await APIServer.freshMetrics(plain) }
      ),
    ]
    var measured: [String: (throughput: Double, p99: Double, mean: Double)] = [:]
    for (path, name, list) in baselines {
      if measured[path] == nil { measured[path] = try wrk(path) }
      let http = measured[path]!
      let local = try await inProcess(list)
      let served =
        path.hasSuffix("/vm") ? "cached answer" : path.hasSuffix("/metrics") ? "held figures" : "from the views"
      report.add(
        "GET \(path) over HTTP (\(served)): requests/s", http.throughput, against: name, local.throughput,
        unit: "req/s", better: .higher)
      report.add(
        "GET \(path) over HTTP (\(served)): p99", http.p99 * 1000, against: name, local.p99 * 1000, unit: "ms",
        better: .lower)
    }
    // One client at a time: the latency of one request, against the same read in process without the views.
    for (path, name, read) in [
      (
        "/api/v1/status", "status read from ZooKeeper in process, one at a time",
        { @Sendable in _ = try await plain.status() }
      ),
      (
        "/api/v1/node", "node list read from ZooKeeper in process, one at a time",
        { @Sendable in _ = try await plain.nodes.list() }
      ),
    ] as [(String, String, @Sendable () async throws -> Void)] {
      let http = try wrk(path, connections: 1)
      let local = try await inProcess(read, tasks: 1)
      report.add(
        "GET \(path), one client: mean latency", http.mean * 1000, against: name, local.mean * 1000, unit: "ms",
        better: .lower)
    }
    report.notes.append(
      "Targets at 1,000 VMs, one client: /status under 10 ms, /node under 5 ms.")
    report.notes.append(
      "/metrics holds its figures (re-read at most every 5 s) and answers every scrape with the text rendered once; "
        + "its second baseline reads and renders the same families per request, as a scrape would cost without them.")
    report.notes.append(
      "The HTTP figures are one wrk run per path (a second process, \(connections) connections). The first /vm "
        + "baseline does the same work as the server less HTTP (the same view and cache): the cost of HTTP. The "
        + "others do less or different work and show what the view and the cache save. Target: p99 of the "
        + "\(vms)-VM list under 100 ms at \(connections) clients.")
    await serving.stop()
    await plain.close()
    try await cluster.zookeeper!.deleteRecursively("/")
    await cluster.close()
    try await admin.deleteRecursively(root)
    await admin.close()
    return report
  }

  /// Loads the endpoint with wrk; returns requests per second and the p99 latency in seconds.
  private func wrk(_ path: String, connections: Int? = nil) throws -> (throughput: Double, p99: Double, mean: Double) {
    let clients = connections ?? self.connections
    let output = try runProgram(
      "/usr/bin/wrk",
      [
        "-t\(min(2, clients))", "-c\(clients)", "-d\(seconds)s", "--latency", "-H", "X-Api-Key: \(Self.token)",
        "http://127.0.0.1:\(port)\(path)",
      ])
    guard output.contains("Requests/sec"), !output.contains("Non-2xx") else {
      throw BenchmarkError("wrk on \(path) failed:\n\(output)")
    }
    func field(_ prefix: String) -> String? {
      output.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.first { $0.hasPrefix(prefix) }?
        .split(separator: " ", omittingEmptySubsequences: true).dropFirst().first.map(String.init)
    }
    guard let rate = field("Requests/sec:").flatMap({ Double($0) }), let p99 = field("99%").flatMap(Self.seconds),
      let mean = field("Latency").flatMap(Self.seconds)
    else {
      throw BenchmarkError("cannot read wrk's output:\n\(output)")
    }
    return (rate, p99, mean)
  }

  /// wrk's durations: `12.34ms`, `1.20s`, `850.00us`.
  static func seconds(_ text: String) -> Double? {
    for (suffix, scale) in [("us", 1e-6), ("ms", 1e-3), ("s", 1.0), ("m", 60.0)] where text.hasSuffix(suffix) {
      return Double(text.dropLast(suffix.count)).map { $0 * scale }
    }
    return nil
  }

  /// The same work in process: `connections` tasks calling `body` in a loop.
  private func inProcess(_ body: @escaping @Sendable () async throws -> Void, tasks: Int? = nil) async throws -> (
    throughput: Double, p99: Double, mean: Double
  ) {
    let deadline = ContinuousClock.now + .seconds(seconds)
    let latencies = try await withThrowingTaskGroup(of: [Double].self) { group in
      for _ in 0..<(tasks ?? connections) {
        group.addTask {
          var times: [Double] = []
          while ContinuousClock.now < deadline { times.append(try await timed(body)) }
          return times
        }
      }
      return try await group.reduce(into: []) { $0 += $1 }
    }
    let sorted = latencies.sorted()
    let p99 = sorted.isEmpty ? 0 : sorted[min(sorted.count - 1, Int(Double(sorted.count) * 0.99))]
    let mean = latencies.isEmpty ? 0 : latencies.reduce(0, +) / Double(latencies.count)
    return (Double(latencies.count) / Double(seconds), p99, mean)
  }

}
