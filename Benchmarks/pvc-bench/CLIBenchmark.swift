import Foundation
import PVCKit
import PVCKitAPI
import PVCKitFixtures
import PVCKitServer

/// The whole `pvc vm list` process over `vms` VMs, through both transports
/// (hyperfine), against the bare start of the same binary (`pvc --version`),
/// measured in the same run.
struct CLIBenchmark {
  var hosts: String
  var vms: Int
  var runs: Int
  var port = 23781

  func run() async throws -> Report {
    let root = "/pvc-bench-cli-\(ProcessInfo.processInfo.processIdentifier)"
    let admin = try await ZooKeeper.connect(to: hosts)
    try await admin.create(root, "")
    let cluster = try await PVCCluster.connect(.zookeeper(hosts: hosts + root))
    try await UpstreamSeeder(zookeeper: cluster.zookeeper!, vms: vms).seed()
    let server = try await APIServer(
      cluster: cluster, settings: .init(address: "127.0.0.1", port: port, tokens: [APIBenchmark.token])
    ).start()
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("pvc-bench-cli-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    let pvc = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("pvc")
      .path
    let connections = """
      {"api": {"host": "127.0.0.1", "port": \(port), "scheme": "http", "api_key": "\(APIBenchmark.token)"},
       "zk": {"zookeeper": "\(hosts + root)"}}
      """
    try connections.write(to: directory.appendingPathComponent("pvc.json"), atomically: true, encoding: .utf8)
    setenv("PVC_CLIENT_DIR", directory.path, 1)
    let export = directory.appendingPathComponent("hyperfine.json").path
    let commands = ["\(pvc) --version", "\(pvc) -c zk vm list", "\(pvc) -c api vm list"]
    let output = try runProgram(
      "/usr/bin/hyperfine", ["-N", "--warmup", "2", "--runs", "\(runs)", "--export-json", export] + commands)
    struct Results: Decodable {
      struct Result: Decodable {
        var median: Double
      }
      var results: [Result]
    }
    let results = try JSONDecoder().decode(Results.self, from: Data(contentsOf: URL(fileURLWithPath: export))).results
    guard results.count == 3 else { throw BenchmarkError("hyperfine gave no results:\n\(output)") }
    let floor = results[0].median * 1000
    var report = Report(title: "pvc vm list, whole process, \(vms) VMs, median of \(runs) runs (hyperfine)")
    report.add(
      "pvc vm list directly (ZooKeeper)", results[1].median * 1000, against: "pvc --version", floor, unit: "ms",
      better: .lower)
    report.add(
      "pvc vm list through the API", results[2].median * 1000, against: "pvc --version", floor, unit: "ms",
      better: .lower)
    report.notes.append(
      "Lower is better; the ratio is the list's time over the bare process start. Target: under 300 ms.")

    await server.stop()
    try await cluster.zookeeper!.deleteRecursively("/")
    await cluster.close()
    try await admin.deleteRecursively(root)
    await admin.close()
    try? FileManager.default.removeItem(at: directory)
    return report
  }

}
