/// An error from a cluster-wide operation, saying what happened and what to do.
public enum ClusterError: Error, Sendable, Hashable, CustomStringConvertible {
  /// `initialize` found existing cluster data and was not told to overwrite it.
  case alreadyInitialized
  /// The cluster has no schema version: it was never initialized.
  case notInitialized
  /// A backup's schema version differs from the cluster's.
  case schemaMismatch(backup: Int?, cluster: Int)
  /// A backup could not be read.
  case invalidBackup(String)
  /// The cluster's data uses a newer schema than this PVCKit understands.
  case unsupportedSchema(Int)

  public var description: String {
    switch self {
    case .alreadyInitialized:
      "the cluster already contains data; initialize with overwrite to erase it and start anew"
    case .notInitialized:
      "the cluster is not initialized (no /schema/version); run 'pvc cluster init' first"
    case .schemaMismatch(let backup, let cluster):
      "the backup's schema version (\(backup.map(String.init) ?? "none")) does not match the cluster's (\(cluster)); nothing was restored"
    case .invalidBackup(let reason):
      "invalid backup: \(reason); nothing was restored"
    case .unsupportedSchema(let version):
      "the cluster uses schema version \(version), newer than this PVCKit supports (\(Layout.currentVersion))"
    }
  }
}
