// An example of a Swift script using PVCKit: list the VMs carrying a tag, with
// where they run. Works directly on ZooKeeper or through a PVC API.
//
//   swift run vms-by-tag web 127.0.0.1:2181
//   PVC_API_KEY=secret swift run vms-by-tag web http://10.0.0.250:7370
import Foundation
import PVCKit

let arguments = Array(CommandLine.arguments.dropFirst())
guard let tag = arguments.first else {
  FileHandle.standardError.write(Data("usage: vms-by-tag TAG [ZOOKEEPER-HOSTS | API-URL]\n".utf8))
  exit(2)
}
let connection =
  arguments.dropFirst().first.map {
    ClusterConnection.from(address: $0, key: ProcessInfo.processInfo.environment["PVC_API_KEY"])
  }
  ?? ClusterConnection.fromEnvironment ?? .zookeeper(hosts: "127.0.0.1:2181")
do {
  let cluster = try await PVCCluster.connect(connection)
  let vms = try await cluster.vms.list(VMFilter(tag: tag))
  for vm in vms {
    print("\(vm.name)\t\(vm.state)\t\(vm.node)\t\(vm.vcpu) vCPU\t\(vm.memory) MiB")
  }
  print("\(vms.count) VMs tagged \"\(tag)\"")
  await cluster.close()
} catch {
  FileHandle.standardError.write(Data("vms-by-tag: \(error)\n".utf8))
  exit(1)
}
