import Foundation
import Hummingbird
import HummingbirdTesting
import PVCKit
import PVCKitFixtures
import Testing

@testable import PVCKitAPI

/// The API over real node daemons: tasks queued in ZooKeeper and carried out
/// by the pvcd of the node concerned, with progress; node logs.
@Suite("HTTP API end to end", .serialized)
struct APIEndToEndTests {
  static func withAPI(_ body: @Sendable (APITestHarness, NodeCluster) async throws -> Void, name: String = #function)
    async throws
  {
    try await NodeCluster.with(name: name) { nodes in
      let server = APIServer(cluster: nodes.cluster, settings: .init(tokens: [APITestHarness.token]))
      try await Application(router: server.router()).test(.router) { client in
        try await body(APITestHarness(cluster: nodes.cluster, server: server, client: client), nodes)
      }
    }
  }

  /// Polls a task until it has finished.
  static func finished(_ api: APITestHarness, _ id: String) async throws -> [String: Any] {
    let deadline = ContinuousClock.now + .seconds(60)
    while true {
      let task = try await api.call(.get, "/tasks/\(id)").object ?? [:]
      if ["SUCCESS", "FAILURE"].contains(task["state"] as? String ?? "") || ContinuousClock.now > deadline {
        return task
      }
      try await Task.sleep(for: .milliseconds(100))
    }
  }

  @Test("disk locks: a task on the VM's node; refused while it runs, done once it is stopped")
  func lockTask() async throws {
    try await Self.withAPI { api, nodes in
      let uuid = UUID().uuidString.lowercased()
      _ = try await nodes.cluster.vms.define(
        VMDefinition(xml: TestGuests.xml(name: "locks", uuid: uuid), node: "hv2", initialState: .start))
      #expect(try await eventually(timeout: .seconds(30)) { try await nodes.cluster.vms.info("locks").state == .start })

      let queued = try await api.call(.post, "/vm/locks/locks")
      #expect(queued.status == 202)
      let id = try #require(queued.object?["task_id"] as? String)
      #expect(queued.object?["task_name"] as? String == "vm.flush_locks")
      #expect(queued.object?["run_on"] as? String == "hv2")
      #expect(queued.headers[.location] == "/api/v1/tasks/\(id)")
      let refused = try await Self.finished(api, id)
      #expect(refused["state"] as? String == "FAILURE")
      #expect((refused["status"] as? String)?.contains("stop it") == true, "\(refused)")

      try await nodes.cluster.vms.stop("locks")
      let again = try #require(try await api.call(.post, "/vm/locks/locks").object?["task_id"] as? String)
      let done = try await Self.finished(api, again)
      #expect(done["state"] as? String == "SUCCESS", "\(done)")
      let tasks = try await api.call(.get, "/tasks")
      let finished = (tasks.object?["finished"] as? [String: [[String: Any]]])?["hv2"] ?? []
      #expect(Set(finished.compactMap { $0["id"] as? String }) == [id, again])
      #expect(try await api.call(.get, "/tasks/abcdef12").status == 404)
      #expect(try await api.call(.get, "/tasks/..").status == 404)
    }
  }

  @Test("flush and ready with wait run as tasks on the node and answer when done; the node's log is readable")
  func flushTask() async throws {
    try await Self.withAPI { api, nodes in
      let guests = try await [0, 1].asyncMap { index in
        let uuid = UUID().uuidString.lowercased()
        _ = try await nodes.cluster.vms.define(
          VMDefinition(xml: TestGuests.xml(name: "flt\(index)", uuid: uuid), node: "hv1", initialState: .start))
        return uuid
      }
      #expect(
        try await eventually(timeout: .seconds(30)) { guests.allSatisfy { SimulatedNodes.hosts(of: $0) == ["hv1"] } })
      let flushed = try await api.call(.post, "/node/hv1/domain-state", [("state", "flush"), ("wait", "true")])
      #expect(flushed.status == 200 && flushed.message == "Node hv1 is flushed.", "\(flushed.text)")
      for uuid in guests { #expect(!SimulatedNodes.hosts(of: uuid).contains("hv1")) }
      let tasks = try await nodes.cluster.tasks.list()
      let flush = try #require(tasks.first { $0.name == "node.flush" })
      #expect(flush.runOn == "hv1" && flush.state == .success && flush.current == 2 && flush.total == 2)

      let ready = try await api.call(.post, "/node/hv1/domain-state", [("action", "ready"), ("wait", "yes")])
      #expect(ready.status == 200 && ready.message == "Node hv1 is ready.", "\(ready.text)")
      #expect(
        try await eventually(timeout: .seconds(30)) { guests.allSatisfy { SimulatedNodes.hosts(of: $0) == ["hv1"] } })

      let log = try await eventually(timeout: .seconds(10)) {
        let data = try await api.call(.get, "/node/hv1/log", [("lines", "200")]).object?["data"] as? String ?? ""
        return data.contains("task \(flush.id) (node.flush) succeeded")
      }
      #expect(log)
      let stopped = try await api.call(.post, "/node/hv9/domain-state", [("state", "flush"), ("wait", "true")])
      #expect(stopped.status == 404)
    }
  }

  @Test("waiting calls follow the task: a client whose request timeout is shorter than the work still gets its result")
  func waitsFollowTasks() async throws {
    try await NodeCluster.with { nodes in
      // Clear of the fixed ports other suites of this phase use (22811, 22812).
      let port = 22_950 + Int.random(in: 0..<40)
      let server = APIServer(cluster: nodes.cluster, settings: .init(port: port, tokens: [APITestHarness.token]))
      let serving = try await server.start()
      defer { Task { await serving.stop() } }
      // Requests time out after 1 s; a restart of a guest that ignores ACPI takes the 3 s shutdown timeout and more.
      let client = try await PVCCluster.connect(
        .api(url: URL(string: "http://127.0.0.1:\(port)")!, key: APITestHarness.token, timeout: .seconds(1)))
      defer { Task { await client.close() } }
      let uuid = UUID().uuidString.lowercased()
      _ = try await nodes.cluster.vms.define(
        VMDefinition(xml: TestGuests.xml(name: "slow", uuid: uuid), node: "hv1", initialState: .start))
      #expect(try await eventually(timeout: .seconds(30)) { SimulatedNodes.hosts(of: uuid) == ["hv1"] })
      let started = ContinuousClock.now
      try await client.vms.restart("slow", wait: true)
      #expect(ContinuousClock.now - started > .seconds(2), "the restart was not waited for")
      #expect(try await nodes.cluster.vms.info("slow").state == .start)
      let task = try #require(try await nodes.cluster.tasks.list().first { $0.name == "vm.state" })
      #expect(task.state == .success && task.arguments["state"] == "restart")
      // A flush followed the same way.
      #expect(try await client.nodes.setDomainState("hv1", .flush, wait: true) == "Node hv1 is flushed.")
      #expect(try await eventually { !SimulatedNodes.hosts(of: uuid).contains("hv1") })
    }
  }
}

/// The API as a primary duty of pvcd: the primary serves it, and it moves with the role.
@Suite("HTTP API served by the primary", .serialized)
struct APIDutyTests {
  /// The HTTP status of a GET to `url` (0 when nothing answers), through curl.
  static func status(_ url: String, key: String? = nil) -> Int {
    let arguments =
      ["-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "3"]
      + (key.map { ["-H", "X-Api-Key: \($0)"] } ?? [])
      + [url]
    return (try? TestServices.runTool("/usr/bin/curl", arguments)).flatMap { Int($0.output) } ?? 0
  }

  static func url(_ node: String, _ path: String) -> String {
    "http://\(SimulatedNodes.net).\(SimulatedNodes.number(node)):7370/api/v1\(path)"
  }

  @Test("the primary coordinator serves the API; moving the role moves the server")
  func duty() async throws {
    let configuration = SimulatedNodeConfiguration.text(
      nodeNet: SimulatedNodes.net, api: (address: "0.0.0.0", port: 7370, token: APITestHarness.token))
    try await NodeCluster.with(configuration: configuration) { nodes in
      #expect(try await eventually(timeout: .seconds(20)) { try await nodes.cluster.nodes.primary() != nil })
      let first = try #require(try await nodes.cluster.nodes.primary())
      #expect(try await eventually(timeout: .seconds(20)) { Self.status(Self.url(first, "/")) == 200 })
      #expect(Self.status(Self.url(first, "/status")) == 401)
      #expect(Self.status(Self.url(first, "/status"), key: APITestHarness.token) == 200)
      let target = first == "hv2" ? "hv3" : "hv2"
      #expect(Self.status(Self.url(target, "/")) == 0)

      _ = try await nodes.cluster.nodes.setCoordinatorState(target, .primary, wait: true)
      #expect(try await eventually(timeout: .seconds(20)) { Self.status(Self.url(target, "/")) == 200 })
      #expect(Self.status(Self.url(first, "/")) == 0, "the old primary still serves the API")
    }
  }
}

extension Array {
  /// Maps with an async transform, in order.
  func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
    var result: [T] = []
    for element in self { result.append(try await transform(element)) }
    return result
  }

}
