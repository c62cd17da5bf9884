import Foundation
import PVCKit
import PVCKitFixtures

/// `vm list` over an upstream-layout cluster of N VMs: PVCKit cold (pipelined
/// reads) and warm (a watch-fed view) against a naive one-key-at-a-time read.
struct VMListBenchmark {
  var hosts: String
  var sizes: [Int]
  var rounds: Int

  func run() async throws -> Report {
    var report = Report(title: "vm list (full VM information), median of \(rounds) rounds, \(hosts)")
    for size in sizes {
      let root = "/pvc-bench-vms-\(size)-\(ProcessInfo.processInfo.processIdentifier)"
      let admin = try await ZooKeeper.connect(to: hosts)
      try await admin.create(root, "")
      await admin.close()
      let zk = try await ZooKeeper.connect(to: hosts + root, sessionTimeout: .seconds(30))
      try await UpstreamSeeder(zookeeper: zk, vms: size).seed()
      let cluster = try await PVCCluster.connect(.zookeeper(hosts: hosts + root, sessionTimeout: .seconds(30)))

      var cold: [Double] = []
      var naive: [Double] = []
      var warm: [Double] = []
      let view = try await VMView.start(zookeeper: cluster.zookeeper!)
      // The naive baseline takes minutes at 10,000 VMs: one round there.
      for _ in 0..<(size >= 10000 ? 1 : rounds) {
        cold.append(
          try await timed {
            let count = try await cluster.vms.list().count
            precondition(count == size)
          })
        if ProcessInfo.processInfo.environment["PVC_BENCH_SKIP_BASELINE"] == nil {
          naive.append(
            try await timed {
              let count = try await Self.naiveList(zk).count
              precondition(count == size)
            })
        }
        warm.append(
          try await timed {
            let count = try view.list(VMFilter()).count
            precondition(count == size)
          })
      }
      await view.stop()
      report.add(
        "\(size) VMs, PVCKit cold (pipelined)", milliseconds(cold), against: "naive one key at a time",
        milliseconds(naive), unit: "ms", better: .lower)
      report.add(
        "\(size) VMs, PVCKit warm (watch-fed view)", milliseconds(warm), against: "PVCKit cold", milliseconds(cold),
        unit: "ms", better: .lower)
      await cluster.close()
      try await zk.deleteRecursively("/")
      await zk.close()
      let cleanup = try await ZooKeeper.connect(to: hosts)
      try await cleanup.deleteRecursively(root)
      await cleanup.close()
    }
    report.notes.append(
      "Lower is better here: the ratio column is the figure's time over its baseline's (below 1.00x is faster).")
    report.notes.append("Targets: 1,000 VMs cold under 1 s, warm under 50 ms.")
    return report
  }

  /// Reads every VM the way upstream's API does: one awaited read per key.
  static func naiveList(_ zk: ZooKeeper) async throws -> [String] {
    var names: [String] = []
    for uuid in try await zk.children(Layout.base.path(.domains)) {
      let ref = try Layout.domain(uuid)
      var values: [String] = []
      for key in [
        DomainKey.root, .xml, .state, .node, .lastNode, .failedReason, .profile, .vnc, .stats, .autostart,
        .migrationMethod, .migrationMaxDowntime, .nodeSelector, .nodeLimit,
      ] {
        values.append(try await zk.get(ref.path(key)).string)
      }
      for tag in try await zk.children(ref.path(.tags)) {
        _ = try await zk.get(try Layout.tag(tag, domain: uuid).path(.type))
        _ = try await zk.get(try Layout.tag(tag, domain: uuid).path(.protected))
      }
      _ = try await zk.children(ref.path(.snapshots))
      _ = try? DomainXML(values[1])
      names.append(values[0])
    }
    return names
  }
}

/// Seconds taken by `body`.
func timed(_ body: () async throws -> Void) async throws -> Double {
  let clock = ContinuousClock()
  let start = clock.now
  try await body()
  return (clock.now - start).seconds
}

extension Duration {
  /// The duration in seconds.
  var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
