import Foundation
import PVCKit
import PVCKitFixtures
import Testing

@testable import PVCKitWeb

/// The web UI in a real browser: headless Chromium (driven over the DevTools
/// protocol by Scripts/browser.py) against pvcweb on loopback, over a real
/// cluster in ZooKeeper. Screenshots of each step are kept as PNG artifacts in
/// `.build/test-artifacts/web`.
@Suite("Web UI in a browser", .serialized)
struct WebBrowserTests {
  @Test(
    "log in, open every page (two clusters in one overview), stop a VM through its confirmation, see the page follow a start"
  )
  func browse() async throws {
    let hosts = try await TestServices.chroot()
    let cluster = try await PVCCluster.connect(.zookeeper(hosts: hosts))
    try await UpstreamSeeder(zookeeper: cluster.zookeeper!, vms: 12).seed()
    // A second cluster on this machine, shown beside the first.
    let otherHosts = try await TestServices.chroot(name: "browse-other")
    let other = try await PVCCluster.connect(.zookeeper(hosts: otherHosts))
    try await UpstreamSeeder(zookeeper: other.zookeeper!, vms: 3).seed()
    let port = 22797
    var settings = WebServer.Settings(port: port, tokens: [WebRouteTests.token])
    settings.otherClusters = [.init(name: "second", address: otherHosts, key: nil)]
    let server = try await WebServer(cluster: cluster, settings: settings).start()
    let artifacts = TestServices.root.appendingPathComponent(".build/test-artifacts/web")
    let vm = UpstreamSeeder.name(5)
    do {
      try await BrowserScript.run(
        base: "http://127.0.0.1:\(port)", token: WebRouteTests.token, vm: vm, artifacts: artifacts, debugPort: 22931,
        steps: [
          "login_form", "overview", "clusters", "nodes", "vms", "vm", "confirmation", "stopped", "live_script",
          "live_update",
        ])
    } catch {
      await server.stop()
      throw error
    }
    await server.stop()
    // Stopped through the page, then started by the page's own fetch (which the page showed without reloading).
    #expect(try await cluster.vms.info(vm).state == .start)
    let shots = (try? FileManager.default.contentsOfDirectory(atPath: artifacts.path)) ?? []
    #expect(shots.filter { $0.hasSuffix(".png") }.count == 9, "\(shots)")
    for shot in shots {
      let size =
        (try? FileManager.default.attributesOfItem(atPath: artifacts.appendingPathComponent(shot).path)[.size] as? Int)
        ?? 0
      #expect(size > 2000, "\(shot) is \(size) bytes")
    }
    try? await cluster.zookeeper?.deleteRecursively("/")
    try? await other.zookeeper?.deleteRecursively("/")
    await cluster.close()
    await other.close()
  }
}
