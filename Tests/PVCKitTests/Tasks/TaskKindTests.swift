import Foundation
import Testing

@testable import PVCKit

/// Typed task kinds: arguments as values, records this release cannot run refused with a clear error.
@Suite("Task kinds")
struct TaskKindTests {
  @Test("every kind has one name, and its arguments go through a task record unchanged")
  func roundTrip() throws {
    #expect(Set(TaskKinds.all.map { $0.name }).count == TaskKinds.all.count)
    let move = VMMoveArguments(vm: "web1", target: "hv2", force: true, forceLive: false)
    let stored = try TaskArguments.encode(move)
    #expect(stored == ["vm": "web1", "target": "hv2", "force": true, "force_live": false])
    #expect(try TaskArguments.decode(VMMoveArguments.self, from: stored, task: "vm.migrate") == move)
    // No target: chosen by the selector, and stored without one.
    let chosen = try TaskArguments.encode(VMMoveArguments(vm: "web1"))
    #expect(chosen["target"] == nil)
    let state = VMStateTask.Arguments(vm: "web1", state: .shutdown)
    #expect(try TaskArguments.decode(VMStateTask.Arguments.self, from: TaskArguments.encode(state), task: "x") == state)
    #expect(TaskKinds.kind(named: "node.flush") == nil ? false : true)
  }

  @Test("a record of an unknown kind or with arguments its kind cannot use fails with a clear error")
  func refused() async throws {
    let zk = try await ZooKeeper.connect(to: try await TestServices.chroot())
    defer { Task { await zk.close() } }
    func run(_ name: String, _ arguments: [String: JSONValue]) async -> String {
      let task = ClusterTask(id: ClusterTask.newID(), name: name, runOn: "hv1", arguments: arguments)
      let context = TaskContext(zookeeper: zk, node: "hv1", progress: TaskProgress(zookeeper: zk, task: task))
      do {
        _ = try await TaskKinds.run(task, context: context)
        return "ran"
      } catch {
        return "\(error)"
      }
    }
    #expect(await run("vm.teleport", ["vm": "x"]) == "no kind of task is called \"vm.teleport\" in this release")
    #expect(await run("vm.state", ["vm": "x"]) == "invalid arguments for task vm.state: 'state' is missing")
    #expect(
      await run("vm.state", ["vm": "x", "state": "explode"]).hasPrefix("invalid arguments for task vm.state: 'state'"))
    #expect(
      await run("vm.migrate", ["vm": 5, "force": false, "force_live": false])
        == "invalid arguments for task vm.migrate: 'vm' has the wrong type")
    #expect(
      await run("node.flush", ["node": "hv2"]) == "invalid arguments for task node.flush: it runs on the node it names")
  }
}
