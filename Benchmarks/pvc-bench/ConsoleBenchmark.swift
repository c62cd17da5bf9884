import Foundation
import PVCKit
import PVCKitAPI
import PVCKitFixtures
import PVCKitServer

/// A running guest's serial console through the API's WebSocket (pvcapi relaying libvirt's console stream)
/// against the same console opened directly through the node's libvirt: a key's echo and a 100 kB burst of output.
struct ConsoleBenchmark {
  var hosts: String
  var nodeNet: String
  var guestDirectory: String
  var rounds: Int
  /// Keys typed per round for the echo figure.
  var keys = 40

  func run() async throws -> Report {
    let root = "/pvc-bench-console-\(ProcessInfo.processInfo.processIdentifier)"
    let admin = try await ZooKeeper.connect(to: hosts)
    try await admin.create(root, "")
    await admin.close()
    let uri = "qemu+tcp://\(nodeNet).1/system"
    let cluster = try await PVCCluster.connect(
      .zookeeper(hosts: hosts + root), policy: .permissive, libvirt: NodeLibvirtAccess { _ in uri })
    try await cluster.initialize()
    let config = FileManager.default.temporaryDirectory.appendingPathComponent("pvc-bench-\(UUID().uuidString).conf")
      .path
    try SimulatedNodeConfiguration.text(nodeNet: nodeNet, nodes: 1, allowHostAccess: true).write(
      toFile: config, atomically: true, encoding: .utf8)
    let pvcd = try startPVCD([
      "--config", config, "--zookeeper", hosts + root, "--node", "hv1", "--libvirt-uri", uri, "--auto-ready",
    ])
    defer {
      pvcd.terminate()
      pvcd.waitUntilExit()
      try? FileManager.default.removeItem(atPath: config)
    }
    let zk = cluster.zookeeper!
    while try await zk.string(try Layout.node("hv1").path(.daemonState)) != "run" {
      try await Task.sleep(for: .milliseconds(50))
    }
    let name = "bench-console"
    _ = try await cluster.vms.define(
      VMDefinition(xml: Self.guest(name: name, directory: guestDirectory), node: "hv1", initialState: .start))
    while try await cluster.vms.info(name).state != .start { try await Task.sleep(for: .milliseconds(50)) }

    let port = 23_890
    var settings = APIServer.Settings(port: port, tokens: ["bench-console"])
    settings.authenticationEnabled = true
    let server = try await APIServer(cluster: cluster, settings: settings).start()
    let api = try await PVCCluster.connect(.api(url: URL(string: "http://127.0.0.1:\(port)")!, key: "bench-console"))

    var echo: (direct: [Double], api: [Double]) = ([], [])
    var burst: (direct: [Double], api: [Double]) = ([], [])
    do {
      // The guest boots under TCG: wait for its shell.
      let first = Terminal(try await cluster.vms.openConsole(name))
      try await first.waitForShell()
      await first.console.close()
      for _ in 0..<rounds {
        for (index, client) in [cluster, api].enumerated() {
          let terminal = Terminal(try await client.vms.openConsole(name))
          try await terminal.waitForShell()
          let keys = try await terminal.echoTimes(count: keys)
          let burstTime = try await terminal.burst(bytes: 100_000)
          await terminal.console.close()
          if index == 0 {
            echo.direct += keys
            burst.direct.append(burstTime)
          } else {
            echo.api += keys
            burst.api.append(burstTime)
          }
        }
      }
    } catch {
      await api.close()
      await server.stop()
      throw error
    }
    await api.close()
    await server.stop()
    try? await cluster.vms.setState(name, .stop, force: true, wait: true)
    try await zk.deleteRecursively("/")
    await cluster.close()
    let cleanup = try await ZooKeeper.connect(to: hosts)
    try await cleanup.deleteRecursively(root)
    await cleanup.close()

    var report = Report(
      title: "Serial console of a running guest (TCG), \(rounds) rounds of \(keys) keys and a 100 kB burst, node \(uri)"
    )
    report.add(
      "a key's echo through the API's WebSocket (median)", milliseconds(echo.api),
      against: "the console directly through libvirt", milliseconds(echo.direct), unit: "ms", better: .lower)
    report.add(
      "100 kB of guest output through the API's WebSocket (median)", milliseconds(burst.api),
      against: "the console directly through libvirt", milliseconds(burst.direct), unit: "ms", better: .lower)
    report.notes.append(
      "Lower is better. Both ways read the same guest's console on the same node; the API's way adds pvcapi's relay "
        + "(a WebSocket on loopback) between the client and libvirt's stream. The guest's shell under TCG sets the floor."
    )
    return report
  }

  /// Reads a console's output in order, with time limits.
  final class Terminal: @unchecked Sendable {
    let console: VMConsole
    private var iterator: AsyncThrowingStream<[UInt8], any Error>.AsyncIterator
    private var seen = ""

    init(_ console: VMConsole) {
      self.console = console
      iterator = console.output.makeAsyncIterator()
    }

    /// Reads until `text` has arrived since the last call; the time it took.
    func read(until text: String, timeout: Duration = .seconds(60)) async throws {
      let deadline = ContinuousClock.now + timeout
      while !seen.contains(text) {
        guard ContinuousClock.now < deadline else { throw BenchError("the console did not show \(text)") }
        guard let bytes = try await iterator.next() else { throw BenchError("the console closed") }
        seen += String(decoding: bytes, as: UTF8.self)
      }
      seen = String(seen[seen.range(of: text)!.upperBound...])
    }

    func waitForShell() async throws {
      for _ in 0..<60 {
        try await console.send(Array("echo READY$((1+1))\r".utf8))
        do {
          try await read(until: "READY2", timeout: .seconds(3))
          try await read(until: "# ", timeout: .seconds(3))
          return
        } catch {}
      }
      throw BenchError("the guest's shell did not answer")
    }

    /// Types `count` keys one at a time, timing each one's echo; then clears the line.
    func echoTimes(count: Int) async throws -> [Double] {
      var times: [Double] = []
      for index in 0..<count {
        let key = String(UnicodeScalar(UInt8(ascii: "a") + UInt8(index % 26)))
        let started = ContinuousClock.now
        try await console.send(Array(key.utf8))
        try await read(until: key, timeout: .seconds(10))
        times.append((ContinuousClock.now - started).seconds)
      }
      try await console.send([0x15, 0x0D])  // Ctrl-U, Enter
      try await read(until: "# ", timeout: .seconds(10))
      return times
    }

    /// Has the guest print `bytes` bytes and times their arrival (to the marker after them).
    func burst(bytes: Int) async throws -> Double {
      let started = ContinuousClock.now
      try await console.send(
        Array("dd if=/dev/zero bs=1000 count=\(bytes / 1000) 2>/dev/null | tr '\\0' x; echo E''ND\r".utf8))
      try await read(until: "END", timeout: .seconds(120))
      let elapsed = (ContinuousClock.now - started).seconds
      try await read(until: "# ", timeout: .seconds(10))
      return elapsed
    }
  }

  static func guest(name: String, directory: String) -> String {
    """
    <domain type='qemu'><name>\(name)</name><uuid>\(UUID().uuidString.lowercased())</uuid>
    <memory unit='MiB'>128</memory><vcpu>1</vcpu>
    <os><type arch='x86_64' machine='pc'>hvm</type><kernel>\(directory)/vmlinuz</kernel>\
    <initrd>\(directory)/initrd.img</initrd><cmdline>console=ttyS0 quiet</cmdline></os>
    <devices><serial type='pty'><target port='0'/></serial><console type='pty'><target type='serial' port='0'/></console>
    </devices></domain>
    """
  }
}

/// A benchmark that could not run.
struct BenchError: Error, CustomStringConvertible {
  var description: String
  init(_ description: String) { self.description = description }
}
