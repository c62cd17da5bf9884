import Foundation
import PVCKitFixtures
import Testing

@testable import PVCKit

/// Upstream's storage benchmark as a task on the primary of simulated nodes,
/// with fio's RBD engine against the real test Ceph.
@Suite("Storage benchmark", .serialized)
struct StorageBenchmarkTests {
  @Test("a benchmark runs upstream's eight fio tests on the primary, keeps fio's reports, and removes its volume")
  func benchmark() async throws {
    try await NodeCluster.with(configuration: RBDDiskEndToEndTests.configuration) { nodes in
      let cluster = try await PVCCluster.connect(
        .zookeeper(hosts: nodes.hosts), ceph: CephAccess(configurationFile: TestServices.cephConfiguration))
      defer { Task { await cluster.close() } }
      #expect(try await eventually(timeout: .seconds(20)) { try await cluster.nodes.primary() != nil })
      let pool = "bm-\(UUID().uuidString.prefix(6).lowercased())"
      try await cluster.storage.addPool(pool, pgs: 8, replication: "copies=2,mincopies=1", tier: "default")
      let result = try await cluster.storage.runBenchmark(
        .init(pool: pool, name: "test-job", runtime: 1, size: "64M"), wait: true)
      #expect(result.contains("test-job"), "\(result)")
      let jobs = try await cluster.storage.benchmarks(job: nil)
      #expect(jobs.map(\.job) == ["test-job"])
      let job = try #require(jobs.first)
      #expect(job.testFormat == 1 && !job.isRunning)
      for test in StorageBenchmarkTask.tests {
        let figures = job.figures(of: test.name)
        #expect(
          (figures?.bandwidthKiB ?? 0) > 0 && (figures?.iops ?? 0) > 0, "\(test.name): \(String(describing: figures))")
      }
      let images = try RBDPool(
        try await RadosConnection.connect(configurationFile: TestServices.cephConfiguration), pool: pool)
      #expect(try await images.list().isEmpty, "the benchmark volume is left")
      // The same name again is refused; an unknown pool too.
      await #expect(throws: (any Error).self) {
        _ = try await cluster.storage.runBenchmark(
          .init(pool: pool, name: "test-job", runtime: 1, size: "64M"), wait: true)
      }
      await #expect(throws: StorageError.self) {
        _ = try await cluster.storage.runBenchmark(.init(pool: "nopool", runtime: 1), wait: true)
      }
      try await cluster.storage.removePool(pool)
    }
  }
}
