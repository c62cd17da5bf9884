import Foundation
import PVCKit
import PVCKitFixtures

/// The time from a start request to the guest running: through PVCKit (the
/// request is written to ZooKeeper, the node's pvcd starts the guest) against
/// asking libvirt directly, on the same simulated node.
struct VMStartBenchmark {
  var hosts: String
  var nodeNet: String
  var consoleDirectory: String
  var rounds: Int

  func run() async throws -> Report {
    let root = "/pvc-bench-start-\(ProcessInfo.processInfo.processIdentifier)"
    let admin = try await ZooKeeper.connect(to: hosts)
    try await admin.create(root, "")
    await admin.close()
    let cluster = try await PVCCluster.connect(.zookeeper(hosts: hosts + root))
    try await cluster.initialize()
    let config = FileManager.default.temporaryDirectory.appendingPathComponent("pvc-bench-\(UUID().uuidString).conf")
      .path
    try SimulatedNodeConfiguration.text(nodeNet: nodeNet, nodes: 1).write(
      toFile: config, atomically: true, encoding: .utf8)
    let uri = "qemu+tcp://\(nodeNet).1/system"
    let pvcd = try startPVCD([
      "--config", config, "--zookeeper", hosts + root, "--node", "hv1", "--libvirt-uri", uri,
      "--console-log-directory", consoleDirectory, "--auto-ready",
    ])
    defer {
      pvcd.terminate()
      pvcd.waitUntilExit()
      try? FileManager.default.removeItem(atPath: config)
    }
    let libvirt = try await LibvirtConnection.open(uri)
    let zk = cluster.zookeeper!
    while try await zk.string(try Layout.node("hv1").path(.daemonState)) != "run" {
      try await Task.sleep(for: .milliseconds(50))
    }

    var direct: [Double] = []
    var through: [Double] = []
    for round in 0..<rounds {
      let uuid = UUID().uuidString.lowercased()
      let xml = Self.guest(name: "bench-direct-\(round)", uuid: uuid)
      direct.append(try await timed { try await libvirt.createTransient(xml: xml) })
      try await libvirt.destroy(uuid)

      let vm = UUID().uuidString.lowercased()
      let name = "bench-pvc-\(round)"
      _ = try await cluster.vms.define(VMDefinition(xml: Self.guest(name: name, uuid: vm), node: "hv1"))
      through.append(
        try await timed {
          try await cluster.vms.start(name)
          // Running, as when libvirt's own start returns (not merely a QEMU process starting up).
          while try await libvirt.state(of: vm)?.name != "running" { try await Task.sleep(for: .milliseconds(5)) }
        })
      try await cluster.vms.stop(name)
      while try await libvirt.state(of: vm) != nil { try await Task.sleep(for: .milliseconds(20)) }
      try await cluster.vms.undefine(name)
    }
    await libvirt.close()
    try await zk.deleteRecursively("/")
    await cluster.close()
    let cleanup = try await ZooKeeper.connect(to: hosts)
    try await cleanup.deleteRecursively(root)
    await cleanup.close()

    var report = Report(title: "VM start: request to guest running, median of \(rounds) starts, node \(uri)")
    report.add(
      "start through PVCKit (ZooKeeper, pvcd, libvirt)", milliseconds(through), against: "libvirt directly",
      milliseconds(direct), unit: "ms", better: .lower)
    report.notes.append("Lower is better; the ratio is PVCKit's time over libvirt's.")
    return report
  }

  static func guest(name: String, uuid: String) -> String {
    let kvm = FileManager.default.isWritableFile(atPath: "/dev/kvm")
    return """
      <domain type='\(kvm ? "kvm" : "qemu")'><name>\(name)</name><uuid>\(uuid)</uuid><memory unit='MiB'>64</memory><vcpu>1</vcpu>
      <os><type arch='x86_64' machine='pc'>hvm</type><boot dev='network'/></os><devices></devices></domain>
      """
  }
}
