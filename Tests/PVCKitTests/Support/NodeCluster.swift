import Foundation
import PVCKit
import PVCKitFixtures
import Synchronization

/// A real cluster for end-to-end tests: a fresh ZooKeeper chroot, a
/// configuration file, and one `pvcd` per simulated node (hv1-hv3, each a
/// network namespace with its own libvirtd, started by `make test`), running
/// inside the node's namespace.
final class NodeCluster: Sendable {
  let hosts: String
  let cluster: PVCCluster
  let configFile: String
  let directory: URL
  /// Distinguishes this cluster's daemons from other tests' on the same nodes.
  var tag: String { directory.lastPathComponent }
  private let daemons = Mutex<Set<String>>([])

  static var nodeNet: String { SimulatedNodes.net }

  private init(hosts: String, cluster: PVCCluster, configFile: String, directory: URL) {
    self.hosts = hosts
    self.cluster = cluster
    self.configFile = configFile
    self.directory = directory
  }

  /// Starts a cluster with `nodes` node daemons (by default keepalive 1 s, VM shutdown timeout 3 s).
  static func start(
    nodes: Int = 3, on zookeeper: String = TestServices.standalone, configuration: String? = nil,
    name: String = #function
  ) async throws -> NodeCluster {
    let hosts = try await TestServices.chroot(on: zookeeper, name: name)
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("pvckit-cluster-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    let configFile = directory.appendingPathComponent("pvc.conf").path
    try (configuration ?? Self.configuration(hosts: hosts)).write(toFile: configFile, atomically: true, encoding: .utf8)
    let cluster = try await PVCCluster.connect(.zookeeper(hosts: hosts))
    try await cluster.initialize()
    let nodeCluster = NodeCluster(hosts: hosts, cluster: cluster, configFile: configFile, directory: directory)
    for n in 1...nodes { try nodeCluster.startDaemon("hv\(n)") }
    let zk = cluster.zookeeper!
    let up = try await eventually(timeout: .seconds(45)) {
      let states = try await zk.getMany((1...nodes).map { try Layout.node("hv\($0)").path(.daemonState) })
      return states.allSatisfy { $0?.string == "run" }
    }
    guard up else {
      // Say which node stayed behind and what its daemon said, then clean up.
      var report: [String] = []
      for n in 1...nodes {
        let state = try? await zk.get(try Layout.node("hv\(n)").path(.daemonState)).string
        let tail = nodeCluster.daemonLog("hv\(n)").split(separator: "\n").suffix(8).joined(separator: "\n    ")
        report.append("hv\(n): \(state ?? "?")\n    \(tail)")
      }
      await nodeCluster.stop()
      throw SimulatedNodes.ScriptFailure(
        command: "pvcd (nodes did not reach run)\n" + report.joined(separator: "\n"), status: 1)
    }
    return nodeCluster
  }

  /// Runs `body` with a started cluster, stopping it (daemons and guests) afterwards, also on failure.
  static func with(
    nodes: Int = 3, on zookeeper: String = TestServices.standalone, configuration: String? = nil,
    name: String = #function, _ body: (NodeCluster) async throws -> Void
  ) async throws {
    let cluster = try await start(nodes: nodes, on: zookeeper, configuration: configuration, name: name)
    do {
      try await body(cluster)
    } catch {
      await cluster.stop()
      throw error
    }
    await cluster.stop()
  }

  /// Starts (or restarts) node `name`'s daemon inside its namespace (Scripts/nodes.sh start-pvcd): the test
  /// build's pvcd with this cluster's configuration, or `command` (a pvcd installed elsewhere) when given.
  func startDaemon(_ name: String, command: [String]? = nil) throws {
    try SimulatedNodes.startDaemon(
      on: name, tag: tag, log: directory.appendingPathComponent("\(name).log").path,
      command: command ?? [
        TestServices.binDirectory.appendingPathComponent("pvcd").path, "--config", configFile, "--zookeeper", hosts,
        "--node", name, "--libvirt-uri", SimulatedNodes.libvirtURI(name),
        "--console-log-directory", "\(SimulatedNodes.root(of: name))/var/log/libvirt", "--auto-ready",
      ])
    _ = daemons.withLock { $0.insert(name) }
  }

  /// Stops node `name`'s daemon with SIGTERM and waits for it (its VMs keep running).
  func stopDaemon(_ name: String) {
    guard daemons.withLock({ $0.remove(name) }) != nil else { return }
    try? SimulatedNodes.stopDaemon(on: name, tag: tag)
  }

  /// What node `name`'s daemon logged.
  func daemonLog(_ name: String) -> String {
    (try? String(contentsOf: directory.appendingPathComponent("\(name).log"), encoding: .utf8)) ?? ""
  }

  /// Stops every daemon, destroys this cluster's guests on every node, and closes the connection.
  func stop() async {
    for name in daemons.withLock({ Array($0) }) { stopDaemon(name) }
    if let uuids = try? await cluster.zookeeper?.children(Layout.base.path(.domains)) {
      for uri in TestServices.libvirtNodes {
        guard let libvirt = try? await LibvirtConnection.open(uri) else { continue }
        for uuid in uuids { try? await libvirt.destroy(uuid) }
        await libvirt.close()
      }
    }
    await cluster.close()
    if let keep = ProcessInfo.processInfo.environment["PVCKIT_KEEP_LOGS"] {
      try? FileManager.default.copyItem(atPath: directory.path, toPath: "\(keep)/\(directory.lastPathComponent)")
    }
    try? FileManager.default.removeItem(at: directory)
  }

  /// The libvirt connection of node `name`.
  static func libvirt(_ name: String) async throws -> LibvirtConnection {
    try await LibvirtConnection.open(SimulatedNodes.libvirtURI(name))
  }

  /// The configuration of the simulated nodes.
  static func configuration(hosts: String) -> String {
    SimulatedNodeConfiguration.text(nodeNet: nodeNet)
  }
}
