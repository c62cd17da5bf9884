import Foundation

/// `storage.benchmark`: upstream's eight fio tests against a pool, on the
/// primary: a thin volume `pvcbenchmark` is made, fio's RBD engine runs each
/// test for `runtime` seconds, the volume is removed, and the reports are kept
/// under `/pvckit/benchmarks/<job>` (upstream keeps them in its database).
public enum StorageBenchmarkTask: TaskKind {
  public struct Arguments: Codable, Sendable, Hashable {
    public var pool: String
    /// The job's name (default: the time and the primary, as upstream).
    public var name: String?
    /// Seconds per test (upstream: 75).
    public var runtime: Int
    /// The benchmark volume's size (upstream: 8G; it is thin).
    public var size: String

    /// Arguments.
    public init(pool: String, name: String? = nil, runtime: Int = 75, size: String = "8G") {
      self.pool = pool
      self.name = name
      self.runtime = runtime
      self.size = size
    }
  }

  public static let name = "storage.benchmark"

  /// Upstream's tests: name, fio's `readwrite`, block size, queue depth.
  public static let tests: [(name: String, mode: String, blockSize: String, depth: Int)] = [
    ("seq_read", "read", "4M", 64), ("seq_write", "write", "4M", 64), ("rand_read_4M", "randread", "4M", 64),
    ("rand_write_4M", "randwrite", "4M", 64), ("rand_read_4K", "randread", "4K", 64),
    ("rand_write_4K", "randwrite", "4K", 64), ("rand_read_4K_lowdepth", "randread", "4K", 1),
    ("rand_write_4K_lowdepth", "randwrite", "4K", 1),
  ]

  /// The volume each job uses (and removes).
  public static let volume = "pvcbenchmark"

  public static func node(for arguments: Arguments, in placement: TaskPlacement) async throws -> String {
    try await placement.nodes.requirePrimary()
  }

  /// A job name from upstream's pattern (`2026-12-01T05:51:00_hv1`), or the one given, checked.
  static func job(_ arguments: Arguments, node: String) throws -> String {
    let job =
      arguments.name
      ?? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        formatter.timeZone = TimeZone.current
        return formatter.string(from: Date()).replacingOccurrences(of: "Z", with: "") + "_" + node
      }()
    guard (1...100).contains(job.utf8.count), job.allSatisfy({ $0.isLetter || $0.isNumber || "._:+-".contains($0) })
    else { throw StorageError.invalid("'\(OperationParameter.shown(job))' is not a benchmark name") }
    return job
  }

  public static func run(_ arguments: Arguments, context: TaskContext) async throws -> String {
    let storage = try context.requireStorage()
    guard (1...3600).contains(arguments.runtime) else { throw StorageError.invalid("runtime: 1 to 3600 seconds") }
    _ = try StorageRules.bytes(arguments.size)
    try RBDPool.check(arguments.pool, "pool")
    let job = try Self.job(arguments, node: context.node)
    let zookeeper = context.zookeeper
    let record = try Layout.benchmark(job)
    try await zookeeper.ensurePath(Layout.benchmarksRoot)
    guard try await zookeeper.exists(record) == nil else { throw StorageError.exists("benchmark \(job)") }
    func write(_ result: JSONValue) async throws {
      let text = String(
        decoding: try UpstreamJSON.encode(StorageBenchmarkResult(job: job, benchmarkResult: result)), as: UTF8.self)
      if try await zookeeper.exists(record) == nil {
        _ = try await zookeeper.create(record, text)
      } else {
        _ = try await zookeeper.set(record, text)
      }
    }
    try await write("Running")
    let total = tests.count + 2
    await context.update(current: 1, total: total, status: "Creating volume \(arguments.pool)/\(volume)")
    do {
      try await storage.ceph.with {
        try await CephVolumes(rados: $0, zookeeper: zookeeper).add(
          volume, pool: arguments.pool, size: arguments.size, force: true)
      }
    } catch {
      try? await zookeeper.delete(record)
      throw error
    }
    var results: [String: JSONValue] = [:]
    do {
      for (index, test) in tests.enumerated() {
        await context.update(current: index + 2, total: total, status: "Running test \(test.name)")
        results[test.name] = try await fio(test, arguments, storage: storage)
      }
    } catch {
      try? await removeVolume(arguments.pool, storage: storage, zookeeper: zookeeper)
      try? await zookeeper.delete(record)
      throw error
    }
    await context.update(current: total, total: total, status: "Removing volume \(arguments.pool)/\(volume)")
    try await removeVolume(arguments.pool, storage: storage, zookeeper: zookeeper)
    try await write(.object(results))
    return "Storage benchmark \(job) on pool \(arguments.pool) finished."
  }

  /// One fio test through its RBD engine; its JSON report.
  static func fio(
    _ test: (name: String, mode: String, blockSize: String, depth: Int), _ arguments: Arguments,
    storage: NodeStorage
  ) async throws -> JSONValue {
    let fio = Command("/usr/bin/fio", "/bin/fio")
    guard FileManager.default.isExecutableFile(atPath: fio.executable) else {
      throw TaskError.failed("fio is not installed on node (Debian package fio, with its RBD engine)")
    }
    let outcome = try await fio.run(
      [
        "--name=\(test.name)", "--ioengine=rbd", "--clientname=\(storage.settings.client.user)",
        "--pool=\(arguments.pool)", "--rbdname=\(volume)", "--output-format=json", "--direct=1", "--randrepeat=1",
        "--numjobs=1", "--time_based", "--runtime=\(arguments.runtime)", "--group_reporting",
        "--iodepth=\(test.depth)", "--bs=\(test.blockSize)", "--readwrite=\(test.mode)",
      ], environment: ["CEPH_CONF": storage.settings.cephConfigurationFile],
      timeout: .seconds(arguments.runtime + 120))
    // fio prints notes before its JSON on some versions: the report starts at the first brace.
    guard outcome.status == 0, let start = outcome.output.firstIndex(of: "{"),
      let report = try? JSONValue(parsing: String(outcome.output[start...]))
    else {
      throw TaskError.failed(
        "fio test \(test.name) failed: \(outcome.output.trimmingCharacters(in: .whitespacesAndNewlines).suffix(400))")
    }
    return report
  }

  static func removeVolume(_ pool: String, storage: NodeStorage, zookeeper: ZooKeeper) async throws {
    try await storage.ceph.with {
      try await CephVolumes(rados: $0, zookeeper: zookeeper).removeDisk(volume, pool: pool)
    }
  }
}
