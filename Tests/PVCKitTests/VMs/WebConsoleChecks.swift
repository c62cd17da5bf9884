import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import HummingbirdWebSocket
import Logging
import NIOCore
import PVCKit
import PVCKitServer
import Synchronization
import Testing
import WSClient

@testable import PVCKitWeb

/// The web UI's console of a running VM (part of ``VMConsoleTests``): the page and its one-use ticket, the
/// WebSocket that types into the guest's shell, refusals (another site, a used ticket, a read-only login), and the
/// socket closed when the login ends.
enum WebConsoleChecks {
  /// What a WebSocket saw: the text received and the close frame's reason.
  struct Seen: Sendable {
    var text = ""
    var closeReason: String?
  }

  final class SeenBox: Sendable {
    let state = Mutex(Seen())
  }

  /// Opens `url` with `headers`, types `input` every 2 s until `until` shows up (or the socket closes), then
  /// keeps reading while `linger` runs (when given) and returns what came.
  static func socket(
    _ url: String, headers: HTTPFields, input: String?, until: String?, timeout: Duration = .seconds(30),
    linger: (@Sendable () async throws -> Void)? = nil
  ) async throws -> Seen {
    let seen = SeenBox()
    var configuration = WebSocketClientConfiguration()
    configuration.additionalHeaders = headers
    var logger = Logger(label: "test.console")
    logger.logLevel = .critical
    let frame = try await WebSocketClient.connect(url: url, configuration: configuration, logger: logger) {
      inbound, outbound, _ in
      try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask {
          for try await message in inbound.messages(maxSize: 1 << 20) {
            if case .binary(let buffer) = message {
              seen.state.withLock { $0.text += String(buffer: buffer) }
            }
          }
        }
        group.addTask {
          let deadline = ContinuousClock.now + timeout
          while ContinuousClock.now < deadline {
            if let until, seen.state.withLock({ $0.text.contains(until) }) { break }
            if let input { try await outbound.write(.binary(ByteBuffer(string: input))) }
            try await Task.sleep(for: .seconds(2))
          }
          if let linger {
            try await linger()
            try await Task.sleep(for: .seconds(30))
          }
          try await outbound.close(.normalClosure, reason: nil)
        }
        try await group.next()
        group.cancelAll()
      }
    }
    return seen.state.withLock {
      var result = $0
      result.closeReason = frame?.reason
      return result
    }
  }

  /// Runs the checks against the VM `name` (running on a node `cluster` reaches through libvirt).
  static func run(cluster: PVCCluster, name: String) async throws {
    var settings = WebServer.Settings(tokens: [])
    settings.credentials = [
      APICredential(token: "web-operator", name: "web-ops", role: .operator),
      APICredential(token: "web-viewer", name: "web-viewer", role: .readOnly),
    ]
    let server = WebServer(cluster: cluster, settings: settings)
    let router = server.router()
    let app = Application(
      router: router, server: .http1WebSocketUpgrade(webSocketRouter: router),
      configuration: .init(address: .hostname("127.0.0.1", port: 0)))
    try await app.test(.live) { client in
      let port = try #require(client.port)
      let origin = "http://127.0.0.1:\(port)"
      let browser = try await WebRouteTests.Browser.loggedIn("web-operator", client: client, cluster: cluster)
      let vmPage = try await browser.get("/vms/\(name)")
      #expect(vmPage.html.contains("Open the serial console"))
      let script = try await browser.get("/static/xterm.js")
      #expect(script.status == 200 && script.html.contains("window.Terminal = load("), "\(script.html.prefix(300))")
      @Sendable func ticketedSocket() async throws -> String {
        let page = try await browser.get("/vms/\(name)/console")
        #expect(page.status == 200, "\(page.html.suffix(500))")
        let range = try #require(page.html.range(of: #"data-socket="[^"]+""#, options: .regularExpression))
        let path = page.html[range].dropFirst(#"data-socket=""#.count).dropLast()
        return "ws://127.0.0.1:\(port)" + path.replacingOccurrences(of: "&amp;", with: "&")
      }
      var headers = HTTPFields()
      headers[.cookie] = browser.cookie
      headers[.origin] = origin

      // Another site's page (its own Origin) cannot open it, even with the cookie and a ticket.
      var foreign = headers
      foreign[.origin] = "http://evil.example"
      await #expect(throws: (any Error).self) {
        _ = try await socket(try await ticketedSocket(), headers: foreign, input: nil, until: nil, timeout: .seconds(1))
      }
      // The page's socket: keys typed reach the guest's shell, which answers.
      let url = try await ticketedSocket()
      let typed = try await socket(url, headers: headers, input: "echo pvc$((6*7))-web\r", until: "pvc42-web")
      #expect(typed.text.contains("pvc42-web"), "\(typed.text.suffix(400))")
      // A ticket is good once.
      await #expect(throws: (any Error).self) {
        _ = try await socket(url, headers: headers, input: nil, until: nil, timeout: .seconds(1))
      }
      // Logging out closes an open console, saying why.
      let csrf = try #require(vmPage.csrf)
      let loggedOut = try await socket(
        try await ticketedSocket(), headers: headers, input: nil, until: nil, timeout: .seconds(1)
      ) {
        _ = try await browser.send(.post, "/logout", form: [("csrf", csrf)])
      }
      #expect(loggedOut.closeReason == "the login session ended", "\(loggedOut)")

      // A read-only login sees no console link and gets no console page.
      let viewer = try await WebRouteTests.Browser.loggedIn("web-viewer", client: client, cluster: cluster)
      #expect(!(try await viewer.get("/vms/\(name)")).html.contains("Open the serial console"))
      let refused = try await viewer.get("/vms/\(name)/console")
      #expect(refused.status == 400 && refused.html.contains("may not attach"), "\(refused.html.suffix(300))")
    }
    let audit = try await AuditLog.entries(last: 50, zookeeper: try #require(cluster.zookeeper))
    #expect(audit.contains { $0.who == "web-ops" && $0.operation == "vm.console-attach" && $0.status == 101 })
  }
}
