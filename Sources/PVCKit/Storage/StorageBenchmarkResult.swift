/// A storage benchmark job and its results, as upstream's API shows them
/// (`GET /storage/ceph/benchmark`): fio's JSON report of each test
/// (`test_format` 1), or `"Running"` while the job runs.
public struct StorageBenchmarkResult: Codable, Sendable, Hashable {
  /// The job's name (also its ID).
  public var id: String
  public var job: String
  /// The layout of ``benchmarkResult``: 1, fio's JSON report per test name.
  public var testFormat: Int
  /// The results by test name, or the string `Running`.
  public var benchmarkResult: JSONValue

  /// A result.
  public init(job: String, testFormat: Int = 1, benchmarkResult: JSONValue) {
    id = job
    self.job = job
    self.testFormat = testFormat
    self.benchmarkResult = benchmarkResult
  }

  /// Whether the job still runs.
  public var isRunning: Bool { benchmarkResult == .string("Running") }

  /// A test's bandwidth in KiB/s and IOPS (the read or write side, whichever it measured), from fio's report.
  public func figures(of test: String) -> (bandwidthKiB: Int, iops: Int)? {
    guard let report = StorageStats.field(benchmarkResult, test),
      case .array(let jobs)? = StorageStats.field(report, "jobs"), let job = jobs.first
    else { return nil }
    let side = test.contains("write") ? "write" : "read"
    let figures = StorageStats.field(job, side)
    return (StorageStats.number(figures, "bw"), StorageStats.number(figures, "iops"))
  }

  enum CodingKeys: String, CodingKey {
    case id, job
    case testFormat = "test_format"
    case benchmarkResult = "benchmark_result"
  }
}
