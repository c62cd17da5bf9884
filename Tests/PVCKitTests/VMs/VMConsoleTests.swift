import Foundation
import PVCKitFixtures
import PVCKitServer
import Synchronization
import Testing

@testable import PVCKit
@testable import PVCKitAPI
@testable import PVCKitWeb

/// Serial consoles of running VMs on the simulated cluster: the tiny real guest's shell answers what is typed,
/// directly through the node's libvirt and through the API's WebSocket; sessions take the console over from each
/// other; roles and the audit log apply; a VM that moves takes its console with it. Phase 3b of `make test`.
@Suite("VM consoles", .serialized)
struct VMConsoleTests {
  /// Everything a console printed, collected as it arrives, and how it ended.
  final class Transcript: Sendable {
    final class Box: Sendable {
      let state = Mutex<(text: String, end: String?)>(("", nil))
    }
    private let box = Box()

    init(_ console: VMConsole) {
      let box = box
      Task {
        do {
          for try await bytes in console.output {
            box.state.withLock { $0.text += String(decoding: bytes, as: UTF8.self) }
          }
          box.state.withLock { $0.end = "closed" }
        } catch {
          box.state.withLock { $0.end = "\(error)" }
        }
      }
    }

    var text: String { box.state.withLock { $0.text } }
    /// `nil` while open; "closed" after a plain close; else the reason.
    var end: String? { box.state.withLock { $0.end } }
  }

  /// Types `echo pvc$((6*7))-<mark>` until the shell's answer `pvc42-<mark>` shows (the echo of what was typed
  /// does not contain it: only a shell that evaluated the line prints it).
  static func shellAnswers(_ console: VMConsole, _ transcript: Transcript, mark: String, timeout: Duration) async throws
    -> Bool
  {
    try await eventually(timeout: timeout) {
      try await console.send(Array("echo pvc$((6*7))-\(mark)\r".utf8))
      try await Task.sleep(for: .seconds(2))
      return transcript.text.contains("pvc42-\(mark)")
    }
  }

  @Test(
    "the guest's shell answers on its console, directly and through the API; sessions take over; moves close it",
    .enabled(if: VMSnapshotTests.guestDirectory != nil))
  func consoleEndToEnd() async throws {
    let guest = try #require(VMSnapshotTests.guestDirectory)
    let configuration = SimulatedNodeConfiguration.text(nodeNet: NodeCluster.nodeNet, allowHostAccess: true)
    try await NodeCluster.with(configuration: configuration) { nodes in
      let direct = try await PVCCluster.connect(
        .zookeeper(hosts: nodes.hosts), policy: .permissive,
        libvirt: NodeLibvirtAccess { SimulatedNodes.libvirtURI($0) })
      defer { Task { await direct.close() } }
      let name = "console-\(UUID().uuidString.prefix(6).lowercased())"
      // A stopped VM has no console to open.
      _ = try await direct.vms.define(VMDefinition(xml: Self.guestXML(name: name, guest: guest), node: "hv1"))
      await #expect(throws: ConsoleError.self) { _ = try await direct.vms.openConsole(name) }
      try await direct.vms.start(name)
      #expect(try await eventually(timeout: .seconds(30)) { try await direct.vms.info(name).state == .start })

      // Directly: the node's libvirt, the guest's shell on ttyS0 (it boots under TCG in some seconds).
      let first = try await direct.vms.openConsole(name)
      #expect(first.node == "hv1")
      let firstTranscript = Transcript(first)
      #expect(
        try await Self.shellAnswers(first, firstTranscript, mark: "direct", timeout: .seconds(120)),
        "no answer on the console: \(firstTranscript.text.suffix(400))")

      // Through the API, as an operator: the WebSocket console takes over from the direct session.
      let port = 22_830 + Int.random(in: 0..<20)
      var settings = APIServer.Settings(port: port)
      settings.credentials = [
        APICredential(token: "console-operator", name: "ops", role: .operator),
        APICredential(token: "console-viewer", name: "viewer", role: .readOnly),
      ]
      settings.authenticationEnabled = true
      let server = try await APIServer(cluster: direct, settings: settings).start()
      defer { Task { await server.stop() } }
      let url = URL(string: "http://127.0.0.1:\(port)")!
      let operatorClient = try await PVCCluster.connect(.api(url: url, key: "console-operator"))
      defer { Task { await operatorClient.close() } }
      let second = try await operatorClient.vms.openConsole(name)
      let secondTranscript = Transcript(second)
      #expect(
        try await Self.shellAnswers(second, secondTranscript, mark: "api", timeout: .seconds(30)),
        "no answer through the API: \(secondTranscript.text.suffix(400))")
      #expect(try await eventually(timeout: .seconds(10)) { firstTranscript.end != nil })
      #expect(!firstTranscript.text.contains("pvc42-api"), "the taken-over session still saw the new one's output")

      // The graphical console: the VNC server's byte stream, directly and through the API (RFB's greeting first).
      for cluster in [direct, operatorClient] {
        let graphics = try await cluster.vms.openGraphics(name)
        let greeting = Transcript(graphics)
        #expect(try await eventually(timeout: .seconds(10)) { greeting.text.hasPrefix("RFB 003.") }, "\(greeting.text)")
        await graphics.close()
      }

      // A read-only token may not attach; an unknown VM is named.
      let viewer = try await PVCCluster.connect(.api(url: url, key: "console-viewer"))
      defer { Task { await viewer.close() } }
      await #expect(throws: APIClientError.self) { _ = try await viewer.vms.openConsole(name) }
      await #expect(throws: VMError.notFound("nope")) { _ = try await operatorClient.vms.openConsole("nope") }

      // The attachment is in the audit log: who, which VM, switched to a WebSocket; the refusal too.
      let audit = try await AuditLog.entries(last: 50, zookeeper: try #require(nodes.cluster.zookeeper))
      let attached = audit.filter { $0.operation == "vm.console-attach" && $0.path.contains(name) }
      #expect(attached.contains { $0.who == "ops" && $0.status == 101 }, "\(attached)")
      #expect(attached.contains { $0.who == "viewer" && $0.status == 403 }, "\(attached)")

      // The web UI's console page and socket (they take the console over from the API's session).
      try await WebConsoleChecks.run(cluster: direct, name: name)

      // In headless Chromium: the console from the VM's page, typed into; then the page follows a migration to
      // hv2 without reloading.
      try await Self.inBrowser(cluster: direct, name: name, target: "hv2")
      #expect(try await eventually(timeout: .seconds(30)) { try await direct.vms.info(name).node == "hv2" })

      // The VM moves: its console closes, saying so.
      let moving = try await operatorClient.vms.openConsole(name)
      let movingTranscript = Transcript(moving)
      _ = try await direct.vms.migrate(name, to: "hv3", force: true, forceLive: true, wait: true)
      #expect(try await eventually(timeout: .seconds(30)) { movingTranscript.end != nil })
      let reason = movingTranscript.end ?? ""
      #expect(reason.contains("moved") || reason.contains("closed"), "\(reason)")
      // And opens again on the new node.
      let third = try await operatorClient.vms.openConsole(name)
      #expect(third.node == "hv3")
      let thirdTranscript = Transcript(third)
      #expect(try await Self.shellAnswers(third, thirdTranscript, mark: "moved", timeout: .seconds(30)))
      await third.close()
      #expect(try await eventually(timeout: .seconds(5)) { thirdTranscript.end != nil })

      // `pvc vm console` with pvc.conf (directly through hv3's libvirt): piped input is typed, the answer printed.
      let cli = try TestServices.run(
        "pvc", ["--zookeeper", nodes.hosts, "--config", nodes.configFile, "vm", "console", name, "--linger", "6"],
        stdin: "echo pvc$((6*7))-cli\r")
      #expect(cli.status == 0, "\(cli.stderr)")
      #expect(cli.stdout.contains("pvc42-cli"), "\(cli.stdout.suffix(400))")
      let stopped = try TestServices.run(
        "pvc", ["--zookeeper", nodes.hosts, "--config", nodes.configFile, "vm", "console", "nope"])
      #expect(stopped.status == ErrorKind.notFound.exitCode, "\(stopped.stderr)")
      try await direct.vms.setState(name, .stop, force: true, wait: true)
      try await direct.vms.remove(name, deleteDisks: false)
    }
  }

  /// Scripts/browser.py's console scenario against pvcweb (an operator's login): screenshots in
  /// `.build/test-artifacts/console`.
  static func inBrowser(cluster: PVCCluster, name: String, target: String) async throws {
    let port = 22_850 + Int.random(in: 0..<20)
    var settings = WebServer.Settings(port: port, tokens: [])
    settings.credentials = [APICredential(token: "browser-operator", name: "browser", role: .operator)]
    let server = try await WebServer(cluster: cluster, settings: settings).start()
    do {
      try await BrowserScript.run(
        base: "http://127.0.0.1:\(port)", token: "browser-operator", vm: name,
        artifacts: TestServices.root.appendingPathComponent(".build/test-artifacts/console"), debugPort: 22932,
        scenario: ["console", target],
        steps: [
          "console_page", "console_open", "console_answer", "console_rendered", "vnc_connected", "vnc_frame",
          "live_script", "migration_followed",
        ])
    } catch {
      await server.stop()
      throw error
    }
    await server.stop()
  }

  /// The tiny real guest with its shell on the serial console, and VNC graphics on every address of its node.
  static func guestXML(name: String, guest: String) -> String {
    TestGuests.tiny(
      name: name, directory: guest, devices: "<graphics type='vnc' port='-1' autoport='yes' listen='0.0.0.0'/>")
  }
}
