import ArgumentParser
import PVCKit

/// `pvc storage benchmark`.
struct StorageBenchmarkCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "benchmark", abstract: "Run storage benchmarks and show their results.",
    subcommands: [Run.self, List.self, Info.self])

  struct Run: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Run upstream's eight fio tests against a pool (a task on the primary; minutes of heavy I/O).")
    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var confirmation: ConfirmationOptions
    @Argument(help: ArgumentHelp(OperationSpec.storageBenchmarkRun.help("pool"))) var pool: String
    @Option(name: .long, help: ArgumentHelp(OperationSpec.storageBenchmarkRun.help("name"))) var name: String?
    @Option(name: .long, help: ArgumentHelp(OperationSpec.storageBenchmarkRun.help("runtime"))) var runtime = 75
    @Option(name: .long, help: ArgumentHelp(OperationSpec.storageBenchmarkRun.help("size"))) var size = "8G"
    @Flag(inversion: .prefixedNo, help: "Wait for the benchmark to finish.") var wait = true

    func run() async throws {
      do {
        try confirmation.confirm("Run a storage benchmark on pool \(pool)? It loads the cluster for several minutes.")
      } catch { throw fail(error) }
      try await withCluster(connection) { cluster in
        output(
          try await cluster.storage.runBenchmark(
            .init(pool: pool, name: name, runtime: runtime, size: size), wait: wait))
      }
    }
  }

  struct List: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List benchmark jobs with their headline figures.")
    @OptionGroup var connection: ConnectionOptions
    @Argument(help: "Only this job.") var job: String?
    @Option(name: [.short, .long], help: "Output format: pretty, json or json-pretty.") var format: ReportFormat =
      .pretty

    func run() async throws {
      try await withCluster(connection) { cluster in
        let results = try await cluster.storage.benchmarks(job: job)
        guard !results.isEmpty else { throw CLIError("No benchmark found.", kind: .notFound) }
        switch format {
        case .json, .jsonPretty: try printJSON(results, pretty: format == .jsonPretty)
        case .pretty:
          var table = Table(header: ["Job", "Seq read", "Seq write", "4K read IOPS", "4K write IOPS"])
          for result in results {
            guard !result.isRunning else {
              table.rows.append([result.job, "running", "", "", ""])
              continue
            }
            func bandwidth(_ test: String) -> String {
              result.figures(of: test).map { StorageRules.human(UInt64(max(0, $0.bandwidthKiB)) * 1024) + "/s" } ?? "-"
            }
            func iops(_ test: String) -> String { result.figures(of: test).map { String($0.iops) } ?? "-" }
            table.rows.append([
              result.job, bandwidth("seq_read"), bandwidth("seq_write"), iops("rand_read_4K"), iops("rand_write_4K"),
            ])
          }
          output(table.render())
        }
      }
    }
  }

  struct Info: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show a benchmark job's figures per test.")
    @OptionGroup var connection: ConnectionOptions
    @Argument(help: "The job.") var job: String
    @Option(name: [.short, .long], help: "Output format: pretty, json or json-pretty.") var format: ReportFormat =
      .pretty

    func run() async throws {
      try await withCluster(connection) { cluster in
        guard let result = try await cluster.storage.benchmarks(job: job).first else {
          throw CLIError("No benchmark found.", kind: .notFound)
        }
        switch format {
        case .json, .jsonPretty: try printJSON(result, pretty: format == .jsonPretty)
        case .pretty:
          var table = Table(header: ["Test", "Bandwidth", "IOPS"])
          for test in StorageBenchmarkTask.tests {
            let figures = result.figures(of: test.name)
            table.rows.append([
              test.name, figures.map { StorageRules.human(UInt64(max(0, $0.bandwidthKiB)) * 1024) + "/s" } ?? "-",
              figures.map { String($0.iops) } ?? "-",
            ])
          }
          output("Job \(result.job)\(result.isRunning ? " (running)" : ""):\n" + table.render())
        }
      }
    }
  }
}
