/// The storage operations (Ceph pools, RBD volumes and snapshots, OSDs),
/// implemented once per way of reaching a cluster. Listings are answered from
/// the records the primary keeps in ZooKeeper; changes go to Ceph through
/// librados/librbd and are recorded in upstream's layout (`/ceph`).
public protocol StorageOperations: Sendable {
  /// Ceph's status as the primary last recorded it.
  func status() async throws -> StorageReport
  /// Ceph's space report as the primary last recorded it.
  func utilization() async throws -> StorageReport

  /// Ceph's own metrics in Prometheus' text format, from the active manager's prometheus module.
  func prometheusMetrics() async throws -> String

  /// Pools whose name matches `limit` (fuzzy unless anchored with ^ or $), sorted by name.
  func pools(limit: String?) async throws -> [PoolInfo]
  /// One pool.
  func pool(_ name: String) async throws -> PoolInfo
  /// Creates a pool for RBD volumes: `pgs` a power of two, `replication` upstream's `copies=N,mincopies=M`,
  /// `tier` a device class (`default`: any).
  func addPool(_ name: String, pgs: Int, replication: String, tier: String) async throws
  /// Changes a pool's placement group count.
  func setPlacementGroups(pool: String, _ pgs: Int) async throws
  /// Removes a pool with its volumes and their snapshots.
  func removePool(_ name: String) async throws

  /// Volumes of one pool (or all) whose name matches `limit`, sorted by pool and name.
  func volumes(limit: String?, pool: String?) async throws -> [VolumeInfo]
  /// One volume.
  func volume(_ name: String, pool: String) async throws -> VolumeInfo
  /// Creates a volume of `size` (upstream's size strings: `10G`, `512M`...); refused when it would take the
  /// pool past 80 % of its space, unless `force`.
  func addVolume(_ name: String, pool: String, size: String, force: Bool) async throws
  /// Changes a volume's size (growing it is guarded as adding one is, unless `force`).
  func resizeVolume(_ name: String, pool: String, size: String, force: Bool) async throws
  /// Renames a volume (its snapshots go with it).
  func renameVolume(_ name: String, pool: String, to newName: String) async throws
  /// Copies a volume to a new one in the same pool (guarded as adding one, unless `force`).
  func cloneVolume(_ name: String, pool: String, to newName: String, force: Bool) async throws
  /// Removes a volume; refused while it has snapshots.
  func removeVolume(_ name: String, pool: String) async throws
  /// Writes a disk image into a volume (which must be large enough): `raw` as it is, other formats converted by
  /// `qemu-img` (`size`, the image's bytes, is needed for those when they arrive as a stream). Never held whole in
  /// memory.
  func uploadVolume(_ name: String, pool: String, format: ImageFormat, size: UInt64?, from source: ImageSource)
    async throws
  /// Records a volume that exists in Ceph (made outside PVC, or after an import), or refreshes its stats.
  func scanVolume(_ name: String, pool: String) async throws

  /// Snapshots of one pool and volume (or all) whose name matches `limit`.
  func snapshots(limit: String?, pool: String?, volume: String?) async throws -> [VolumeSnapshotInfo]
  /// One snapshot.
  func snapshot(_ name: String, volume: String, pool: String) async throws -> VolumeSnapshotInfo
  /// Takes a snapshot of a volume.
  func addSnapshot(_ name: String, volume: String, pool: String) async throws
  /// Renames a snapshot.
  func renameSnapshot(_ name: String, volume: String, pool: String, to newName: String) async throws
  /// Rolls a volume back to a snapshot (stop every writer of the volume first).
  func rollbackSnapshot(_ name: String, volume: String, pool: String) async throws
  /// Removes a snapshot.
  func removeSnapshot(_ name: String, volume: String, pool: String) async throws

  /// The storage benchmark jobs (one, or all, newest first).
  func benchmarks(job: String?) async throws -> [StorageBenchmarkResult]
  /// Runs upstream's storage benchmark against a pool, as a task on the primary: waits for its end and returns its
  /// result when `wait`, else returns at once saying which task to follow.
  func runBenchmark(_ arguments: StorageBenchmarkTask.Arguments, wait: Bool) async throws -> String

  /// OSDs whose ID matches `limit`, sorted by ID.
  func osds(limit: String?) async throws -> [OSDInfo]
  /// One OSD.
  func osd(_ id: String) async throws -> OSDInfo
  /// Makes a new OSD on a node's device (a task on that node: ceph-volume, then the daemon); returns its result
  /// when `wait`, else which task to follow.
  func addOSD(_ arguments: StorageOSDAddTask.Arguments, wait: Bool) async throws -> String
  /// Removes an OSD (a task on its node: out, emptied unless `force`, stopped, purged, device wiped).
  func removeOSD(_ arguments: StorageOSDRemoveTask.Arguments, wait: Bool) async throws -> String
  /// Moves an OSD to a new device of its node, keeping its ID (a task on its node).
  func replaceOSD(_ arguments: StorageOSDReplaceTask.Arguments, wait: Bool) async throws -> String
  /// Imports an OSD already on a device of its node again, after a reinstall (a task on its node).
  func refreshOSD(_ arguments: StorageOSDRefreshTask.Arguments, wait: Bool) async throws -> String
  /// Makes upstream's `osd-db` volume group on a node's device (a task there; needs LVM).
  func createDatabaseVolumeGroup(_ arguments: StorageOSDDatabaseVGTask.Arguments, wait: Bool) async throws -> String
  /// Takes an OSD in or out of the data placement.
  func setOSDState(_ id: String, _ state: OSDState) async throws
  /// Sets or clears a cluster-wide OSD flag (`noout` before maintenance...).
  func setOSDFlag(_ flag: OSDFlag, _ enabled: Bool) async throws
}

extension StorageOperations {
  /// Every pool.
  public func pools() async throws -> [PoolInfo] { try await pools(limit: nil) }
  /// Every volume.
  public func volumes() async throws -> [VolumeInfo] { try await volumes(limit: nil, pool: nil) }
}

/// An error from a storage operation that is not Ceph's own (``CephError``).
public enum StorageError: ClassifiedError, Sendable, Hashable, CustomStringConvertible {
  /// This connection cannot change storage: it has no Ceph configuration.
  case noCephAccess
  /// PVC records no such pool.
  case poolNotFound(String)
  /// PVC records no such volume.
  case volumeNotFound(pool: String, volume: String)
  /// PVC records no such snapshot.
  case snapshotNotFound(pool: String, volume: String, snapshot: String)
  /// PVC records no such OSD.
  case osdNotFound(String)
  /// The name is taken.
  case exists(String)
  /// The volume has snapshots (named).
  case hasSnapshots(pool: String, volume: String, snapshots: [String])
  /// A value is not acceptable.
  case invalid(String)
  /// Ceph does not offer what was asked (the message says what to do).
  case unavailable(String)

  public var kind: ErrorKind {
    switch self {
    case .noCephAccess, .unavailable: .unavailable
    case .poolNotFound, .volumeNotFound, .snapshotNotFound, .osdNotFound: .notFound
    case .exists, .hasSnapshots: .refused
    case .invalid: .invalid
    }
  }

  public var description: String {
    switch self {
    case .noCephAccess:
      "this connection has no Ceph access (storage changes need the cluster's ceph.conf: enable storage in pvc.conf, or connect through the API)"
    case .poolNotFound(let pool): "no pool \(pool)"
    case .volumeNotFound(let pool, let volume): "no volume \(volume) in pool \(pool)"
    case .snapshotNotFound(let pool, let volume, let snapshot): "no snapshot \(snapshot) of volume \(pool)/\(volume)"
    case .osdNotFound(let id): "no OSD \(id)"
    case .exists(let what): "\(what) already exists"
    case .hasSnapshots(let pool, let volume, let snapshots):
      "volume \(pool)/\(volume) has snapshots (\(snapshots.joined(separator: ", "))): remove them first"
    case .invalid(let message), .unavailable(let message): message
    }
  }
}
