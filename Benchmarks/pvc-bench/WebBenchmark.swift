import Foundation
import PVCKit
import PVCKitAPI
import PVCKitFixtures
import PVCKitServer
import PVCKitWeb

#if canImport(FoundationNetworking)
  import FoundationNetworking
#endif

/// The web UI's VM list page (one page of 100 rows, filtered and sorted over
/// every VM) for clusters of each size: the server's answer time over loopback,
/// against the same listing from the watch-fed view in process, same run.
struct WebBenchmark {
  var hosts: String
  var sizes: [Int]
  var rounds: Int
  var port = 23782

  func run() async throws -> Report {
    var report = Report(title: "Web UI: VM list page (100 rows of all VMs, sorted), median of \(rounds) requests")
    for size in sizes {
      let root = "/pvc-bench-web-\(ProcessInfo.processInfo.processIdentifier)-\(size)"
      let admin = try await ZooKeeper.connect(to: hosts)
      try await admin.create(root, "")
      let cluster = try await PVCCluster.connect(.zookeeper(hosts: hosts + root))
      try await UpstreamSeeder(zookeeper: cluster.zookeeper!, vms: size).seed()
      let server = try await WebServer(cluster: cluster, settings: .init(port: port, tokens: ["bench-token-0123"]))
        .start()
      let view = try await VMView.start(zookeeper: cluster.zookeeper!)
      let session = URLSession(configuration: .ephemeral)
      let cookie = try await login(session)
      // Until the server's own view is loaded, pages are read from ZooKeeper: wait for it.
      while cluster.view?.isLoaded == false { try await Task.sleep(for: .milliseconds(10)) }
      var page: [Double] = []
      for _ in 0..<(rounds + 3) {
        page.append(try await timed { try await self.get(session, "/vms?sort=memory&dir=desc", cookie: cookie) })
      }
      page = Array(page.dropFirst(3))
      var listing: [Double] = []
      for _ in 0..<rounds {
        listing.append(try await timed { _ = try view.list(VMFilter()).sorted { $0.memory > $1.memory } })
      }
      report.add(
        "\(size) VMs: GET /vms (render, HTTP)", milliseconds(page), against: "list and sort from the view in process",
        milliseconds(listing), unit: "ms", better: .lower)
      await view.stop()
      await server.stop()
      session.invalidateAndCancel()
      try await cluster.zookeeper!.deleteRecursively("/")
      await cluster.close()
      try await admin.deleteRecursively(root)
      await admin.close()
    }
    report.notes.append("Lower is better. Target: under 50 ms for a page of 1,000 VMs.")
    return report
  }

  /// Logs in with curl as a browser does (the form's CSRF token and cookie, then the post; the
  /// redirect is not followed) and returns the session cookie.
  private func login(_ session: URLSession) async throws -> String {
    let jar = FileManager.default.temporaryDirectory.appendingPathComponent("bench-jar-\(port)").path
    defer { try? FileManager.default.removeItem(atPath: jar) }
    let form = try runProgram("/usr/bin/curl", ["-s", "-c", jar, "http://127.0.0.1:\(port)/login"])
    guard
      let csrf = form.components(separatedBy: "name=\"csrf\" value=\"").dropFirst().first?.prefix(while: { $0 != "\"" })
    else { throw BenchmarkError("the web UI's login form has no CSRF token") }
    let headers = try runProgram(
      "/usr/bin/curl",
      [
        "-s", "-b", jar, "-o", "/dev/null", "-D", "-", "-d", "token=bench-token-0123", "-d", "csrf=\(csrf)",
        "http://127.0.0.1:\(port)/login",
      ])
    guard
      let line = headers.split(separator: "\r\n").first(where: { $0.lowercased().hasPrefix("set-cookie:") }),
      let cookie = line.dropFirst("set-cookie:".count).split(separator: ";").first
    else { throw BenchmarkError("the web UI did not log in") }
    return cookie.trimmingCharacters(in: .whitespaces)
  }

  private func get(_ session: URLSession, _ path: String, cookie: String) async throws {
    var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)\(path)")!)
    request.setValue(cookie, forHTTPHeaderField: "Cookie")
    let (data, response) = try await session.data(for: request)
    guard (response as? HTTPURLResponse)?.statusCode == 200, data.count > 1000 else {
      throw BenchmarkError("GET \(path) failed")
    }
  }
}
