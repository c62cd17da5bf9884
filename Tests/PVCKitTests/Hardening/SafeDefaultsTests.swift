import Foundation
import PVCKitFixtures
import PVCKitServer
import Synchronization
import Testing

@testable import PVCKit
@testable import PVCKitAPI

/// What a cluster gets without asking: an API that wants a key (generated when
/// none is configured), loopback only when authentication is switched off,
/// `/metrics` from held data, and ZooKeeper ACLs for those who switch them on.
@Suite("Safe defaults")
struct SafeDefaultsTests {
  /// A pvc.conf for the simulated nodes with this `api.authentication` mapping.
  static func configuration(authentication: String, in directory: URL) throws -> String {
    let text = SimulatedNodeConfiguration.text(nodeNet: SimulatedNodes.net)
      .replacingOccurrences(of: "authentication: {enabled: no}", with: "authentication: \(authentication)")
    let file = directory.appendingPathComponent("pvc.conf").path
    try text.write(toFile: file, atomically: true, encoding: .utf8)
    return file
  }

  static func directory() throws -> URL {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
      "pvckit-defaults-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    return directory
  }

  /// A fresh initialized cluster's connect string.
  static func initializedCluster(name: String = #function) async throws -> String {
    let hosts = try await TestServices.chroot(name: name)
    let cluster = try await PVCCluster.connect(.zookeeper(hosts: hosts))
    try await cluster.initialize()
    await cluster.close()
    return hosts
  }

  static func status(_ url: String, key: String? = nil) -> Int {
    DaemonGarbageTests.curl(url, key: key).status
  }

  @Test("authentication is on by default; with no token configured pvcapi generates one, readable by root only")
  func generatedToken() async throws {
    let directory = try Self.directory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let tokenFile = directory.appendingPathComponent("secret/api-token").path
    let config = try Self.configuration(authentication: "{token_file: \"\(tokenFile)\"}", in: directory)
    let parsed = try PVCConfiguration.load(from: config)
    #expect(parsed.api.authenticationEnabled && parsed.api.tokens.isEmpty)

    let hosts = try await Self.initializedCluster()
    let port = 28_000 + Int.random(in: 0..<1000)
    let api = try BackgroundProgram("pvcapi", ["--config", config, "--zookeeper", hosts, "--port", "\(port)"])
    defer { api.stop() }
    let base = "http://127.0.0.1:\(port)/api/v1"
    #expect(try await eventually(timeout: .seconds(20)) { Self.status(base + "/") == 200 }, "\(api.output)")
    let token = try String(contentsOfFile: tokenFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
    #expect(token.count == 64 && token.allSatisfy(\.isHexDigit))
    let mode = try FileManager.default.attributesOfItem(atPath: tokenFile)[.posixPermissions] as? Int
    #expect(mode == 0o600)
    #expect(Self.status(base + "/status") == 401)
    #expect(Self.status(base + "/status", key: token) == 200)
    #expect(api.output.contains(tokenFile))
    // A second start keeps the same token.
    #expect(try TokenFile.loadOrCreate(at: tokenFile) == token)
  }

  @Test("with authentication switched off the API listens on loopback only, whatever the configuration says")
  func loopbackWithoutAuthentication() async throws {
    let directory = try Self.directory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let config = try Self.configuration(authentication: "{enabled: no}", in: directory)
    let hosts = try await Self.initializedCluster()
    let port = 29_000 + Int.random(in: 0..<1000)
    let api = try BackgroundProgram(
      "pvcapi", ["--config", config, "--zookeeper", hosts, "--listen", "0.0.0.0", "--port", "\(port)"])
    defer { api.stop() }
    #expect(
      try await eventually(timeout: .seconds(20)) { Self.status("http://127.0.0.1:\(port)/api/v1/status") == 200 },
      "\(api.output)")
    #expect(Self.status("http://\(SimulatedNodes.net).254:\(port)/api/v1/") == 0, "reachable beyond loopback")
    #expect(api.output.contains("loopback only"))
    #expect(APIServer.Settings(address: "0.0.0.0", authenticationEnabled: false).listenAddress == "127.0.0.1")
    #expect(APIServer.Settings(address: "0.0.0.0", tokens: ["a-long-enough-token"]).listenAddress == "0.0.0.0")
  }

  @Test("/metrics answers from the held status: one read for many scrapes, refreshed in the background")
  func heldStatus() async throws {
    let (cluster, _) = try await (PVCCluster.connect(.zookeeper(hosts: try await TestServices.chroot())), ())
    defer { Task { await cluster.close() } }
    try await cluster.initialize()
    let reads = Mutex(0)
    let held = Held<ClusterStatus>(maxAge: .milliseconds(300))
    let read: @Sendable () async throws -> ClusterStatus = {
      reads.withLock { $0 += 1 }
      return try await cluster.status()
    }
    try await withThrowingTaskGroup(of: Void.self) { group in
      for _ in 0..<50 { group.addTask { _ = try await held.current(read: read) } }
      try await group.waitForAll()
    }
    #expect(reads.withLock { $0 } == 1, "concurrent scrapes before anything was held share one read")
    for _ in 0..<50 { _ = try await held.current(read: read) }
    #expect(reads.withLock { $0 } == 1, "scrapes are answered from what is held")
    try await Task.sleep(for: .milliseconds(400))
    _ = try await held.current(read: read)
    #expect(try await eventually { reads.withLock { $0 } == 2 }, "a stale status is refreshed once, in the background")
  }

  @Test("ZooKeeper ACLs: what members write, others read but cannot change; startup protects an existing tree")
  func zookeeperACLs() async throws {
    let hosts = try await TestServices.chroot()
    let credentials = try ZooKeeperCredentials(username: "pvc", password: "cluster-secret")
    #expect(throws: ZooKeeperError.self) { try ZooKeeperCredentials(username: "a:b", password: "x") }

    // An upstream-layout cluster written without ACLs, then a member's startup.
    let open = try await ZooKeeper.connect(to: hosts)
    defer { Task { await open.close() } }
    try await UpstreamSeeder(zookeeper: open, vms: 2).seed()
    let member = try await ZooKeeper.connect(to: hosts, credentials: credentials)
    defer { Task { await member.close() } }
    let outcome = try await NodeStartup(zookeeper: member, clusterName: "acl").run()
    #expect(outcome.protectedNodes > 50)

    let state = try Layout.node("hv1").path(.daemonState)
    #expect(try await open.string(state) == "run", "anyone may still read")
    let refused = await #expect(throws: ZooKeeperError.self) { try await open.set(state, "stop") }
    #expect(refused?.code == .noAuth)
    let create = await #expect(throws: ZooKeeperError.self) { try await open.create("/nodes/intruder", "x") }
    #expect(create?.code == .noAuth)
    try await member.set(state, "stop")
    try await member.create("/nodes/hv9", "x")
    let denied = await #expect(throws: ZooKeeperError.self) { try await open.set("/nodes/hv9", "y") }
    #expect(denied?.code == .noAuth, "a member's new node is protected from the start")

    // The credentials come from pvc.conf.
    let config = try PVCConfiguration.parse(
      try ConfigurationTests.text().replacingOccurrences(
        of: "  zookeeper:\n", with: "  zookeeper:\n    auth: {username: pvc, password: cluster-secret}\n"),
      file: "acl.conf")
    #expect(config.zookeeper.credentials == credentials)
  }
}
