import ArgumentParser
import PVCKit

/// `pvc`: the command-line client of a PVC cluster.

struct PVC: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "pvc",
    abstract: "Manage a Parallel Virtual Cluster.",
    discussion: """
      pvc talks to the cluster directly through its ZooKeeper ensemble. It finds the \
      ensemble with --zookeeper (or PVC_ZOOKEEPER), or else in the cluster configuration \
      file given by --config (or PVC_CONFIG_FILE, default /etc/pvc/pvc.conf).
      """,
    version: "pvc (PVCKit) \(PVCKitVersion.string), compatible with PVC \(PVCKitVersion.upstreamCompatibility)",
    subcommands: [ClusterCommand.self, NodeCommand.self, VMCommand.self]
  )
}
