import ArgumentParser
import PVCKit

/// `pvc`: the command-line client of a PVC cluster.

struct PVC: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "pvc",
    abstract: "Manage a Parallel Virtual Cluster.",
    discussion: """
      pvc talks to a cluster through a saved connection (-c NAME or PVC_CONNECTION; see \
      'pvc connection'), which is a PVC API or a ZooKeeper ensemble; or directly through the \
      ensemble given by --zookeeper (or PVC_ZOOKEEPER), or else found in the cluster \
      configuration file given by --config (or PVC_CONFIG_FILE, default /etc/pvc/pvc.conf).
      """,
    version: "pvc (PVCKit) \(PVCKitVersion.string), compatible with PVC \(PVCKitVersion.upstreamCompatibility)",
    subcommands: [
      ClusterCommand.self, ConnectionCommand.self, DNSCommand.self, NetworkCommand.self, NodeCommand.self,
      ProvisionerCommand.self,
      StorageCommand.self,
      VMCommand.self,
    ]
  )
}
