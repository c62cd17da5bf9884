// An example of a Swift script using PVCKit: print what changes in the cluster
// (VMs appearing, going, changing state or node; nodes changing state), once a
// second, until interrupted.
//
//   swift run follow-events 127.0.0.1:2181
import Foundation
import PVCKit

let connection =
  CommandLine.arguments.dropFirst().first.map {
    ClusterConnection.from(address: $0, key: ProcessInfo.processInfo.environment["PVC_API_KEY"])
  } ?? ClusterConnection.fromEnvironment ?? .zookeeper(hosts: "127.0.0.1:2181")

/// What is followed of each object.
func snapshot(_ cluster: PVCCluster) async throws -> [String: String] {
  var state: [String: String] = [:]
  for vm in try await cluster.vms.list() { state["vm \(vm.name)"] = "\(vm.state) on \(vm.node)" }
  for node in try await cluster.nodes.list() {
    state["node \(node.name)"] =
      "\(node.daemonState.rawValue)/\(node.coordinatorState.rawValue)/\(node.domainState.rawValue)"
  }
  return state
}

do {
  let cluster = try await PVCCluster.connect(connection)
  var last = try await snapshot(cluster)
  print("following \(last.count) objects; Ctrl-C to stop")
  let stamp = ISO8601DateFormatter()
  while true {
    try await Task.sleep(for: .seconds(1))
    let now = try await snapshot(cluster)
    for key in Set(last.keys).union(now.keys).sorted() where last[key] != now[key] {
      let change =
        switch (last[key], now[key]) {
        case (nil, let new?): "appeared: \(new)"
        case (_?, nil): "went away"
        case (let old?, let new?): "\(old) -> \(new)"
        default: ""
        }
      print("\(stamp.string(from: Date())) \(key) \(change)")
    }
    last = now
  }
} catch {
  FileHandle.standardError.write(Data("follow-events: \(error)\n".utf8))
  exit(1)
}
