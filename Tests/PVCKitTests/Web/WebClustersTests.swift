import Foundation
import Hummingbird
import HummingbirdTesting
import PVCKit
import PVCKitAPI
import PVCKitFixtures
import Testing

@testable import PVCKitWeb

/// Several clusters in one pvcweb: two real clusters on this machine (one directly, one through its HTTP API with a
/// key) and one that cannot be reached, in one overview; choosing one makes every page show it.
@Suite("Web UI: several clusters")
struct WebClustersTests {
  @Test("pvc.conf's web.clusters: names and addresses checked")
  func configuration() throws {
    let base = try String(
      contentsOf: TestServices.root.appendingPathComponent("Tests/PVCKitTests/Fixtures/pvc.conf"), encoding: .utf8)
    let parsed = try PVCConfiguration.parse(
      base
        + "\nweb:\n  clusters:\n    - {name: lab, address: \"http://10.0.0.5:7370\", key: s3cret}\n"
        + "    - {name: dr, address: \"10.1.0.1:2181,10.1.0.2:2181\"}\n", file: "t")
    #expect(parsed.otherClusters.map(\.name) == ["lab", "dr"])
    #expect(parsed.otherClusters[0].connection == .api(url: URL(string: "http://10.0.0.5:7370")!, key: "s3cret"))
    #expect(parsed.otherClusters[1].connection == .zookeeper(hosts: "10.1.0.1:2181,10.1.0.2:2181"))
    for bad in [
      "    - {name: \"a b\", address: \"http://x:1\"}", "    - {name: lab, address: \"\"}",
      "    - {name: lab, address: \"h:1\"}\n    - {name: lab, address: \"h:2\"}",
    ] {
      #expect(throws: ConfigurationError.self) {
        _ = try PVCConfiguration.parse(base + "\nweb:\n  clusters:\n" + bad + "\n", file: "t")
      }
    }
  }

  @Test("one overview of every cluster; choosing one shows its VMs on every page; an unreachable one is named")
  func overview() async throws {
    let alpha = try await PVCCluster.connect(.zookeeper(hosts: try await TestServices.chroot(name: "alpha")))
    try await UpstreamSeeder(zookeeper: alpha.zookeeper!, vms: 2).seed()
    let beta = try await PVCCluster.connect(.zookeeper(hosts: try await TestServices.chroot(name: "beta")))
    try await UpstreamSeeder(zookeeper: beta.zookeeper!, vms: 4).seed()
    let port = 22_870 + Int.random(in: 0..<20)
    var apiSettings = APIServer.Settings(port: port)
    apiSettings.credentials = [APICredential(token: "beta-key", name: "pvcweb", role: .readOnly)]
    apiSettings.authenticationEnabled = true
    let api = try await APIServer(cluster: beta, settings: apiSettings).start()
    var settings = WebServer.Settings(tokens: [WebRouteTests.token])
    settings.clusterName = "alpha"
    settings.otherClusters = [
      .init(name: "beta", address: "http://127.0.0.1:\(port)", key: "beta-key"),
      .init(name: "gamma", address: "http://127.0.0.1:9", key: nil),
    ]
    let server = WebServer(cluster: alpha, settings: settings)
    do {
      try await Application(router: server.router()).test(.router) { client in
        let browser = try await WebRouteTests.Browser.loggedIn(WebRouteTests.token, client: client, cluster: alpha)
        let overview = try await browser.get("/clusters")
        #expect(overview.status == 200)
        for name in ["alpha", "beta", "gamma"] { #expect(overview.html.contains("<td>\(name)</td>"), "\(name)") }
        #expect(overview.html.contains("unreachable"), "gamma is named as unreachable")
        #expect(overview.html.contains("Clusters (alpha)"))
        // Only beta has a fourth VM.
        let only = UpstreamSeeder.name(3)
        #expect(!(try await browser.get("/vms")).html.contains(only))
        let csrf = try #require(overview.csrf)
        let chosen = try await browser.send(.post, "/clusters/choose", form: [("cluster", "beta"), ("csrf", csrf)])
        #expect(chosen.status == 303)
        let vms = try await browser.get("/vms")
        #expect(vms.html.contains(only) && vms.html.contains("Clusters (beta)"), "\(vms.html.suffix(400))")
        #expect(try await browser.get("/vms/\(only)").status == 200)
        // Through beta's read-only key, beta's API refuses changes; the page says so and nothing changes.
        let stop = try await browser.send(
          .post, "/vms/\(only)/action", form: [("action", "stop"), ("confirm", "yes"), ("csrf", csrf)])
        #expect(stop.status == 303)
        let said = try await browser.get(stop.headers[.location] ?? "/")
        #expect(said.html.contains("Failed") && said.html.contains("read-only"), "\(said.html.prefix(2000))")
        #expect(try await beta.vms.info(only).state == .start)
        // An unreachable cluster chosen: a page saying so, and the way back.
        _ = try await browser.send(.post, "/clusters/choose", form: [("cluster", "gamma"), ("csrf", csrf)])
        let unreachable = try await browser.get("/vms")
        #expect(unreachable.status == 503 && unreachable.html.contains("cannot be reached"))
        _ = try await browser.send(.post, "/clusters/choose", form: [("cluster", "alpha"), ("csrf", csrf)])
        #expect(!(try await browser.get("/vms")).html.contains(only))
        let unknown = try await browser.send(.post, "/clusters/choose", form: [("cluster", "delta"), ("csrf", csrf)])
        #expect(unknown.headers[.location]?.hasPrefix("/clusters") == true)
      }
    } catch {
      await api.stop()
      await server.clusters.close()
      throw error
    }
    await api.stop()
    await server.clusters.close()
    try? await alpha.zookeeper?.deleteRecursively("/")
    try? await beta.zookeeper?.deleteRecursively("/")
    await alpha.close()
    await beta.close()
  }
}
