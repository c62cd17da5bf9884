/// The version of PVCKit, reported by every front (`pvc --version`) and in cluster status.
public enum PVCKitVersion {
  /// The release version.
  public static let string = "0.1.0"
  /// The upstream PVC release whose ZooKeeper layout, API and CLI this version follows.
  public static let upstreamCompatibility = "1.0.3"
}
