// An example of a Swift script using PVCKit: print the cluster's health and
// its unacknowledged faults.
//
//   swift run cluster-status 127.0.0.1:2181
import Foundation
import PVCKit

let hosts =
  CommandLine.arguments.dropFirst().first ?? ProcessInfo.processInfo.environment["PVC_ZOOKEEPER"] ?? "127.0.0.1:2181"
do {
  let cluster = try await PVCCluster.connect(.zookeeper(hosts: hosts, connectTimeout: .seconds(5)))
  let status = try await cluster.status()
  print("\(status.clusterName.isEmpty ? "cluster" : status.clusterName): health \(status.clusterHealth.health)%")
  print("nodes: \(status.nodes["total"] ?? 0), VMs: \(status.vms["total"] ?? 0), maintenance: \(status.maintenance)")
  for fault in status.clusterHealth.messages { print("  -\(fault.healthDelta)% \(fault.id): \(fault.text)") }
  await cluster.close()
} catch {
  FileHandle.standardError.write(Data("cluster-status: \(error)\n".utf8))
  exit(1)
}
