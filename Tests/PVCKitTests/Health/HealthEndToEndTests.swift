import Foundation
import PVCKitFixtures
import Testing

@testable import PVCKit

/// Health plugins on the simulated cluster: every node runs the built-in checks and an administrator's
/// executables; a node's libvirtd stopped raises its `lbvt` plugin's delta and the primary's
/// `NODE_PLUGIN_LBVT_<node>` fault, and clears when started again; a hanging executable is a failed check that holds
/// up neither the other plugins nor the keepalive. Alone in its phase of `make test` (it stops a node's libvirtd).
@Suite("Health plugins end to end", .serialized)
struct HealthEndToEndTests {
  @Test("a stopped libvirtd raises lbvt's delta and its fault, and clears; a hanging plugin stalls nothing")
  func libvirtStoppedAndHangingPlugin() async throws {
    let plugins = FileManager.default.temporaryDirectory.appendingPathComponent("plugins-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: plugins, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: plugins) }
    let hang = "\(plugins)/hang"
    try "#!/bin/sh\nexec sleep 600\n".write(toFile: hang, atomically: true, encoding: .utf8)
    try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: hang)
    var fencing = SimulatedNodeConfiguration.Fencing()
    fencing.ipmiHostname = SimulatedNodes.ipmiHostname
    let configuration = SimulatedNodeConfiguration.text(
      nodeNet: NodeCluster.nodeNet, fencing: fencing, monitoringInterval: 2, pluginDirectory: plugins)
    try await NodeCluster.with(configuration: configuration) { nodes in
      let cluster = nodes.cluster
      @Sendable func plugin(_ name: String, on node: String) async throws -> NodeInfo.HealthDetail? {
        try await cluster.nodes.info(node).healthDetails.first { $0.name == name }
      }
      // Every node runs the built-in checks; libvirt answers everywhere.
      #expect(
        try await eventually(timeout: .seconds(30)) {
          try await plugin("lbvt", on: "hv2")?.lastRun ?? 0 > 0
        })
      let hv2 = try await cluster.nodes.info("hv2")
      for name in ["lbvt", "load", "memory", "disk", "zkpr", "pvcd", "nics", "ipmi", "hang"] {
        #expect(hv2.healthPlugins.contains(name), "hv2 does not run \(name): \(hv2.healthPlugins)")
      }
      #expect(try await plugin("lbvt", on: "hv2")?.healthDelta == 0)
      let zkpr = try await plugin("zkpr", on: "hv2")
      #expect(zkpr?.healthDelta == 0, "\(String(describing: zkpr))")
      #expect(try await plugin("ipmi", on: "hv2")?.healthDelta == 0)

      // The hanging executable: a failed check each round, killed; the others go on being checked.
      #expect(
        try await eventually(timeout: .seconds(30)) {
          try await plugin("hang", on: "hv1")?.message.contains("did not finish") == true
        })
      let before = try #require(try await plugin("load", on: "hv1")?.lastRun)
      #expect(
        try await eventually(timeout: .seconds(20)) { try await plugin("load", on: "hv1")?.lastRun ?? 0 > before })

      // hv2's libvirtd stopped: its lbvt check says so, the primary raises the fault, hv2 stays alive.
      try SimulatedNodes.stopLibvirt("hv2")
      do {
        #expect(
          try await eventually(timeout: .seconds(30)) { try await plugin("lbvt", on: "hv2")?.healthDelta == 50 },
          "lbvt did not see libvirtd stopped")
        #expect(
          try await eventually(timeout: .seconds(30)) {
            try await cluster.faults.list().contains { $0.id == "NODE_PLUGIN_LBVT_hv2" && $0.healthDelta == 25 }
          })
        #expect(try await cluster.nodes.info("hv2").daemonState == .run)
        #expect(try await cluster.nodes.info("hv2").health ?? 100 <= 40)
      } catch {
        try? SimulatedNodes.startLibvirt("hv2")
        throw error
      }
      try SimulatedNodes.startLibvirt("hv2")
      #expect(
        try await eventually(timeout: .seconds(30)) { try await plugin("lbvt", on: "hv2")?.healthDelta == 0 },
        "lbvt did not clear after libvirtd came back")
    }
  }
}
