// An example of a Swift script using PVCKit: empty a node before maintenance
// (flush, waiting until every VM has left), then show where each VM went.
//
//   swift run evacuate-node hv2 127.0.0.1:2181
import Foundation
import PVCKit

let arguments = Array(CommandLine.arguments.dropFirst())
guard let node = arguments.first else {
  FileHandle.standardError.write(Data("usage: evacuate-node NODE [ZOOKEEPER-HOSTS | API-URL]\n".utf8))
  exit(2)
}
let connection =
  arguments.dropFirst().first.map {
    ClusterConnection.from(address: $0, key: ProcessInfo.processInfo.environment["PVC_API_KEY"])
  }
  ?? ClusterConnection.fromEnvironment ?? .zookeeper(hosts: "127.0.0.1:2181")
do {
  let cluster = try await PVCCluster.connect(connection)
  let leaving = try await cluster.vms.list(VMFilter(node: node))
  print("moving \(leaving.count) VMs off \(node)…")
  print(try await cluster.nodes.setDomainState(node, .flush, wait: true))
  for vm in leaving {
    let now = try await cluster.vms.info(vm.uuid)
    print("  \(now.name): \(now.state) on \(now.node)")
  }
  print("bring them back with: pvc node ready \(node)")
  await cluster.close()
} catch {
  FileHandle.standardError.write(Data("evacuate-node: \(error)\n".utf8))
  exit(1)
}
