import Foundation
import PVCKit
import PVCKitFixtures

/// A fresh cluster on the simulated nodes for a suite: its own ZooKeeper chroot, a pvcd on each of the three
/// nodes with the given pvc.conf, and a primary; everything stopped and removed afterwards (guests destroyed).
enum BenchCluster {
  static func with<T>(
    hosts: String, configuration: String, ceph: CephAccess? = nil,
    provisionerDatabase: MariaDBConnection.Settings? = nil, _ body: (PVCCluster, String) async throws -> T
  ) async throws -> T {
    let tag = "bench-\(UUID().uuidString.prefix(8).lowercased())"
    let admin = try await ZooKeeper.connect(to: hosts)
    try await admin.create("/\(tag)", "")
    let cluster = try await PVCCluster.connect(
      .zookeeper(hosts: "\(hosts)/\(tag)"), ceph: ceph, provisionerDatabase: provisionerDatabase)
    try await cluster.initialize()
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("pvc-bench-\(tag)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    let config = directory.appendingPathComponent("pvc.conf").path
    try configuration.write(toFile: config, atomically: true, encoding: .utf8)
    let nodes = ["hv1", "hv2", "hv3"]
    let pvcd = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("pvcd")
    func cleanUp() async {
      for node in nodes {
        try? SimulatedNodes.stopDaemon(on: node, tag: tag)
        try? SimulatedNodes.repair(node)
      }
      if let uuids = try? await cluster.zookeeper?.children(Layout.base.path(.domains)) {
        for node in nodes {
          guard let libvirt = try? await LibvirtConnection.open(SimulatedNodes.libvirtURI(node)) else { continue }
          for uuid in uuids { try? await libvirt.destroy(uuid) }
          await libvirt.close()
        }
      }
      await cluster.close()
      try? await admin.deleteRecursively("/\(tag)")
      await admin.close()
      try? FileManager.default.removeItem(at: directory)
    }
    do {
      for node in nodes {
        try SimulatedNodes.startDaemon(
          on: node, tag: tag, log: directory.appendingPathComponent("\(node).log").path,
          command: [
            pvcd.path, "--config", config, "--zookeeper", "\(hosts)/\(tag)", "--node", node, "--libvirt-uri",
            SimulatedNodes.libvirtURI(node), "--console-log-directory",
            "\(SimulatedNodes.root(of: node))/var/log/libvirt", "--auto-ready",
          ])
      }
      let zk = cluster.zookeeper!
      try await until(.seconds(60)) {
        let states = try await zk.getMany(nodes.map { try Layout.node($0).path(.daemonState) })
        guard states.allSatisfy({ $0?.string == "run" }) else { return false }
        return try await cluster.nodes.primary() != nil
      }
      let result = try await body(cluster, tag)
      await cleanUp()
      return result
    } catch {
      // What the daemons said, for the reason: kept in /tmp/pvc-bench-logs.
      let kept = "/tmp/pvc-bench-logs"
      try? FileManager.default.createDirectory(atPath: kept, withIntermediateDirectories: true)
      for node in nodes {
        try? FileManager.default.removeItem(atPath: "\(kept)/\(node).log")
        try? FileManager.default.copyItem(
          atPath: directory.appendingPathComponent("\(node).log").path, toPath: "\(kept)/\(node).log")
      }
      FileHandle.standardError.write(Data("pvc-bench: the nodes' pvcd logs are in \(kept)\n".utf8))
      await cleanUp()
      throw error
    }
  }

  /// Polls `condition` until it holds, or fails after `timeout`.
  static func until(_ timeout: Duration, _ condition: () async throws -> Bool) async throws {
    let deadline = ContinuousClock.now + timeout
    while try await !condition() {
      guard ContinuousClock.now < deadline else { throw HABenchmarkError.timedOut }
      try await Task.sleep(for: .milliseconds(100))
    }
  }
}

/// A pvcd of this build (beside pvc-bench), its errors discarded, started with `arguments`.
func startPVCD(_ arguments: [String]) throws -> Process {
  let pvcd = Process()
  pvcd.executableURL = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    .appendingPathComponent("pvcd")
  pvcd.arguments = arguments
  pvcd.standardError = FileHandle.nullDevice
  try pvcd.run()
  return pvcd
}
