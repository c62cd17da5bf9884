import Foundation
import PVCKit
import PVCKitFixtures

/// The cost of a node's health round (the built-in plugins that need no configuration, all at once, as pvcd runs
/// them every monitoring interval) against its keepalive (every keepalive interval), on a simulated node's
/// libvirt and the bench's ZooKeeper, in the same run.
struct HealthBenchmark {
  var hosts: String
  var nodeNet: String
  var rounds: Int

  func run() async throws -> Report {
    let root = "/pvc-bench-health-\(ProcessInfo.processInfo.processIdentifier)"
    let admin = try await ZooKeeper.connect(to: hosts)
    try await admin.create(root, "")
    let zookeeper = try await ZooKeeper.connect(to: hosts + root)
    try await UpstreamSeeder(zookeeper: zookeeper, vms: 3).seed()
    let libvirt = try await LibvirtConnection.open("qemu+tcp://\(nodeNet).1/system")
    let probes = NodeProbes(
      zookeeper: zookeeper, libvirt: libvirt, node: "hv1",
      servers: hosts.split(separator: ",").map(String.init))
    var health: [Double] = []
    var beats: [Double] = []
    var healthCPU: [Double] = []
    var beatCPU: [Double] = []
    // Warm: one of each first.
    _ = await probes.healthRound()
    try await probes.keepaliveBeat()
    for _ in 0..<max(1, rounds * 10) {
      let cpu = CPUTime.ownProcess()
      health.append(try await timed { _ = await probes.healthRound() })
      healthCPU.append(CPUTime.ownProcess() - cpu)
      let beatStart = CPUTime.ownProcess()
      beats.append(try await timed { try await probes.keepaliveBeat() })
      beatCPU.append(CPUTime.ownProcess() - beatStart)
    }
    var report = Report(
      title:
        "Health: a health round (7 built-in plugins at once) vs a keepalive, on a simulated node, \(health.count) of each"
    )
    report.add(
      "health round: wall time (median)", milliseconds(health), against: "one keepalive (median)", milliseconds(beats),
      unit: "ms", better: .lower)
    report.add(
      "health round: CPU time of this process (median)", milliseconds(healthCPU),
      against: "one keepalive's CPU time (median)", milliseconds(beatCPU), unit: "ms", better: .lower)
    report.notes.append(
      "pvcd runs a health round every monitoring interval (15 s) and a keepalive every keepalive interval (5 s): "
        + "the round's share of the daemon's periodic work is its time divided by three keepalives. The disk plugin "
        + "runs smartctl only where it is installed.")
    await libvirt.close()
    try await zookeeper.deleteRecursively("/")
    await zookeeper.close()
    try await admin.deleteRecursively(root)
    await admin.close()
    return report
  }
}
