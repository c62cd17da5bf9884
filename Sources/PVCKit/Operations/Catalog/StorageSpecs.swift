/// The storage operations (`/storage/ceph`).
extension OperationSpec {
  static let storageConfirmation = OperationParameter.choice(
    "yes-i-really-mean-it", ["yes"], required: true, "Confirms a removal that loses data")
  static let storageForce = OperationParameter.boolean(
    "force", "Go past the 80 % pool fullness guard")

  /// Ceph's status, as the primary last recorded it
  public static let storageStatus = OperationSpec(
    "storage.status", .get, "/storage/ceph/status", summary: "Ceph's status, as the primary last recorded it",
    responses: [200: "object"])

  /// Ceph's space report, as the primary last recorded it
  public static let storageUtilization = OperationSpec(
    "storage.utilization", .get, "/storage/ceph/utilization",
    summary: "Ceph's space report, as the primary last recorded it", responses: [200: "object"])

  /// The storage benchmark jobs (newest first; 404 when none match)
  public static let storageBenchmarkList = OperationSpec(
    "storage.benchmark-list", .get, "/storage/ceph/benchmark", summary: "The storage benchmark jobs, newest first",
    parameters: [.string("job", "Only this job")], responses: [200: "array:storagebenchmark", 404: "Message"],
    notes: [
      "Results are kept in ZooKeeper (/pvckit/benchmarks), not in a database; test_format 1: fio's report per test"
    ])

  /// Run a storage benchmark against a pool (a task on the primary)
  public static let storageBenchmarkRun = OperationSpec(
    "storage.benchmark-run", .post, "/storage/ceph/benchmark",
    summary: "Run a storage benchmark against a pool (a task on the primary)",
    parameters: [
      .string("pool", required: true, "The pool"),
      .string("name", "The job's name (default: the time and the primary)"),
      .integer("runtime", 1...3600, "Seconds per test (PVCKit extension; default 75, as upstream)"),
      .string("size", "The benchmark volume's size (PVCKit extension; default 8G, thin)"),
    ],
    responses: [202: "CeleryTask", 400: "Message"])

  /// Set or clear a cluster-wide OSD flag
  public static let storageOption = OperationSpec(
    "storage.option", .post, "/storage/ceph/option", summary: "Set or clear a cluster-wide OSD flag",
    parameters: [
      .choice("option", OSDFlag.allCases.map(\.rawValue), required: true, "The flag"),
      .choice("action", ["set", "unset"], required: true, "Set or clear it"),
    ],
    responses: [200: "Message", 400: "Message"])

  /// The OSDs
  public static let storageOSDList = OperationSpec(
    "storage.osd-list", .get, "/storage/ceph/osd", summary: "The OSDs",
    parameters: [.string("limit", "An OSD ID pattern, fuzzy unless anchored with ^ or $")],
    responses: [200: "array:osd"])

  /// Add an OSD on a node's device (a task on that node)
  public static let storageOSDAdd = OperationSpec(
    "storage.osd-add", .post, "/storage/ceph/osd", summary: "Add an OSD on a node's device (a task on that node)",
    parameters: [
      .string("node", required: true, "The node"), .string("device", required: true, "The block device (/dev/...)"),
      .string("weight", "The OSD's CRUSH weight (a number; default: from its size)"),
      .string("ext_db_ratio", "Not supported: an external database volume needs LVM"),
      .string("ext_db_size", "Not supported: an external database volume needs LVM"),
      .integer("osd_count", 1...1, "OSDs on the device (only 1)"),
    ],
    responses: [202: "CeleryTask", 400: "Message"],
    notes: [
      "ceph-volume lvm where the kernel has device-mapper, raw bluestore otherwise; pvcd runs the OSD daemon",
      "weight is optional (upstream requires it)",
    ])

  /// Remove OSD {osdid} (a task on its node)
  public static let storageOSDRemove = OperationSpec(
    "storage.osd-remove", .delete, "/storage/ceph/osd/{osdid}", summary: "Remove OSD {osdid} (a task on its node)",
    parameters: [
      .boolean("force", "Do not wait until Ceph can lose it; go on past errors"), storageConfirmation,
    ],
    responses: [202: "CeleryTask", 400: "Message", 404: "Message"])

  /// Move OSD {osdid} to a new device of its node, keeping its ID (a task on its node)
  public static let storageOSDReplace = OperationSpec(
    "storage.osd-replace", .post, "/storage/ceph/osd/{osdid}",
    summary: "Move OSD {osdid} to a new device of its node, keeping its ID (a task on its node)",
    parameters: [
      .string("new_device", required: true, "The new block device (/dev/...)"),
      .string("old_device", "The old device (PVCKit takes it from the OSD's record)"),
      .string("weight", "The OSD's CRUSH weight (a number; default: from its size)"),
      .string("ext_db_ratio", "Not supported: an external database volume needs LVM"),
      .string("ext_db_size", "Not supported: an external database volume needs LVM"), storageConfirmation,
    ],
    responses: [202: "CeleryTask", 400: "Message", 404: "Message"])

  /// Import OSD {osdid} from a device of its node again (a task on its node)
  public static let storageOSDRefresh = OperationSpec(
    "storage.osd-refresh", .put, "/storage/ceph/osd/{osdid}",
    summary: "Import OSD {osdid} from a device of its node again, after a reinstall (a task on its node)",
    parameters: [.string("device", required: true, "The block device holding the OSD (/dev/...)")],
    responses: [202: "CeleryTask", 400: "Message", 404: "Message"])

  /// Make the OSD database volume group on a node's device (a task on that node)
  public static let storageOSDDatabaseVG = OperationSpec(
    "storage.osd-database-vg", .post, "/storage/ceph/osddb",
    summary: "Make the OSD database volume group osd-db on a node's device (a task on that node; needs LVM)",
    parameters: [
      .string("node", required: true, "The node"), .string("device", required: true, "The block device (/dev/...)"),
    ],
    responses: [202: "CeleryTask", 400: "Message"])

  /// OSD {osdid} (as a one-element list)
  public static let storageOSDInfo = OperationSpec(
    "storage.osd-info", .get, "/storage/ceph/osd/{osdid}", summary: "OSD {osdid} (as a one-element list)",
    responses: [200: "array:osd", 404: "Message"])

  /// Whether OSD {osdid} is up and in
  public static let storageOSDState = OperationSpec(
    "storage.osd-state", .get, "/storage/ceph/osd/{osdid}/state", summary: "Whether OSD {osdid} is up and in",
    responses: [200: "object", 404: "Message"])

  /// Take OSD {osdid} in or out
  public static let storageOSDSetState = OperationSpec(
    "storage.osd-set-state", .post, "/storage/ceph/osd/{osdid}/state", summary: "Take OSD {osdid} in or out",
    parameters: [.choice("state", OSDState.allCases.map(\.rawValue), required: true, "in or out")],
    responses: [200: "Message", 400: "Message", 404: "Message"])

  /// The pools (404 when none match)
  public static let storagePoolList = OperationSpec(
    "storage.pool-list", .get, "/storage/ceph/pool", summary: "The pools",
    parameters: [.string("limit", "A pool name pattern, fuzzy unless anchored with ^ or $")],
    responses: [200: "array:pool"])

  static let poolSettings: [OperationParameter] = [
    .integer("pgs", 1...4096, required: true, "The placement group count (a power of two)"),
    .string("replcfg", required: true, "The replication: copies=N,mincopies=M"),
    .choice("tier", StorageRules.tiers, "The device class its data goes to (default: any)"),
  ]

  /// Add a pool
  public static let storagePoolAdd = OperationSpec(
    "storage.pool-add", .post, "/storage/ceph/pool", summary: "Add a pool",
    parameters: [.string("pool", required: true, "The pool's name")] + poolSettings,
    responses: [200: "Message", 400: "Message"])

  /// Pool {pool} (as a one-element list)
  public static let storagePoolInfo = OperationSpec(
    "storage.pool-info", .get, "/storage/ceph/pool/{pool}", summary: "Pool {pool} (as a one-element list)",
    responses: [200: "array:pool", 404: "Message"])

  /// Add pool {pool}
  public static let storagePoolAddNamed = OperationSpec(
    "storage.pool-add-named", .post, "/storage/ceph/pool/{pool}", summary: "Add pool {pool}",
    parameters: poolSettings, responses: [200: "Message", 400: "Message"])

  /// Change pool {pool}'s placement group count
  public static let storagePoolSetPGs = OperationSpec(
    "storage.pool-set-pgs", .put, "/storage/ceph/pool/{pool}", summary: "Change pool {pool}'s placement group count",
    parameters: [.integer("pgs", 1...4096, required: true, "The placement group count (a power of two)")],
    responses: [200: "Message", 400: "Message", 404: "Message"])

  /// Remove pool {pool} with its volumes
  public static let storagePoolRemove = OperationSpec(
    "storage.pool-remove", .delete, "/storage/ceph/pool/{pool}", summary: "Remove pool {pool} with its volumes",
    parameters: [storageConfirmation], responses: [200: "Message", 400: "Message", 404: "Message"])

  /// The volumes
  public static let storageVolumeList = OperationSpec(
    "storage.volume-list", .get, "/storage/ceph/volume", summary: "The volumes",
    parameters: [
      .string("limit", "A volume name pattern, fuzzy unless anchored with ^ or $"),
      .string("pool", "Only the volumes of this pool"),
    ],
    responses: [200: "array:volume"])

  /// Add a volume
  public static let storageVolumeAdd = OperationSpec(
    "storage.volume-add", .post, "/storage/ceph/volume", summary: "Add a volume",
    parameters: [
      .string("volume", required: true, "The volume's name"), .string("pool", required: true, "Its pool"),
      .string("size", required: true, "Its size: bytes, or with a unit (B, K, M, G, T, P: powers of 1024)"),
      storageForce,
    ],
    responses: [200: "Message", 400: "Message"])

  /// Volume {volume} of pool {pool} (as a one-element list)
  public static let storageVolumeInfo = OperationSpec(
    "storage.volume-info", .get, "/storage/ceph/volume/{pool}/{volume}",
    summary: "Volume {volume} of pool {pool} (as a one-element list)", responses: [200: "array:volume", 404: "Message"])

  /// Add volume {volume} to pool {pool}
  public static let storageVolumeAddNamed = OperationSpec(
    "storage.volume-add-named", .post, "/storage/ceph/volume/{pool}/{volume}",
    summary: "Add volume {volume} to pool {pool}",
    parameters: [
      .string("size", required: true, "Its size: bytes, or with a unit (B, K, M, G, T, P: powers of 1024)"),
      storageForce,
    ],
    responses: [200: "Message", 400: "Message", 404: "Message"])

  /// Resize or rename volume {volume} of pool {pool}
  public static let storageVolumeModify = OperationSpec(
    "storage.volume-modify", .put, "/storage/ceph/volume/{pool}/{volume}",
    summary: "Resize or rename volume {volume} of pool {pool}",
    parameters: [
      .string("new_size", "Its new size (B, K, M, G, T, P units)"), .string("new_name", "Its new name"),
      storageForce,
    ],
    responses: [200: "Message", 400: "Message", 404: "Message"])

  /// Remove volume {volume} of pool {pool}
  public static let storageVolumeRemove = OperationSpec(
    "storage.volume-remove", .delete, "/storage/ceph/volume/{pool}/{volume}",
    summary: "Remove volume {volume} of pool {pool} (refused while it has snapshots)",
    responses: [200: "Message", 400: "Message", 404: "Message"])

  /// Copy volume {volume} of pool {pool} to a new volume
  public static let storageVolumeClone = OperationSpec(
    "storage.volume-clone", .post, "/storage/ceph/volume/{pool}/{volume}/clone",
    summary: "Copy volume {volume} of pool {pool} to a new volume",
    parameters: [.string("new_volume", required: true, "The new volume's name"), storageForce],
    responses: [200: "Message", 400: "Message", 404: "Message"])

  /// Record volume {volume} of pool {pool} from Ceph, or refresh its stats
  public static let storageVolumeScan = OperationSpec(
    "storage.volume-scan", .post, "/storage/ceph/volume/{pool}/{volume}/scan",
    summary: "Record volume {volume} of pool {pool} from Ceph, or refresh its stats",
    responses: [200: "Message", 400: "Message", 404: "Message"])

  /// Write a disk image into volume {volume} of pool {pool}
  public static let storageVolumeUpload = OperationSpec(
    "storage.volume-upload", .post, "/storage/ceph/volume/{pool}/{volume}/upload",
    summary: "Write a disk image into volume {volume} of pool {pool}",
    parameters: [
      .choice("image_format", ImageFormat.allCases.map(\.rawValue), required: true, "The image's format"),
      .integer("file_size", 1...(1 << 50), "The image's size in bytes (needed for formats other than raw)"),
    ],
    responses: [200: "Message", 400: "Message", 404: "Message"],
    notes: [
      "The image is the body: a multipart/form-data file (as upstream's client sends it) or the bytes themselves "
        + "(application/octet-stream, as PVCKit's client sends them); streamed into Ceph, never held in memory; "
        + "image_format and file_size are read from the query string, as upstream"
    ])

  /// The snapshots
  public static let storageSnapshotList = OperationSpec(
    "storage.snapshot-list", .get, "/storage/ceph/snapshot", summary: "The snapshots",
    parameters: [
      .string("limit", "A snapshot name pattern, fuzzy unless anchored with ^ or $"),
      .string("pool", "Only the snapshots of this pool"), .string("volume", "Only the snapshots of this volume"),
    ],
    responses: [200: "array:snapshot"])

  /// Take a snapshot
  public static let storageSnapshotAdd = OperationSpec(
    "storage.snapshot-add", .post, "/storage/ceph/snapshot", summary: "Take a snapshot",
    parameters: [
      .string("snapshot", required: true, "The snapshot's name"), .string("volume", required: true, "The volume"),
      .string("pool", required: true, "The volume's pool"),
    ],
    responses: [200: "Message", 400: "Message"])

  /// Snapshot {snapshot} of volume {volume} in pool {pool} (as a one-element list)
  public static let storageSnapshotInfo = OperationSpec(
    "storage.snapshot-info", .get, "/storage/ceph/snapshot/{pool}/{volume}/{snapshot}",
    summary: "Snapshot {snapshot} of volume {volume} in pool {pool} (as a one-element list)",
    responses: [200: "array:snapshot", 404: "Message"])

  /// Take snapshot {snapshot} of volume {volume} in pool {pool}
  public static let storageSnapshotAddNamed = OperationSpec(
    "storage.snapshot-add-named", .post, "/storage/ceph/snapshot/{pool}/{volume}/{snapshot}",
    summary: "Take snapshot {snapshot} of volume {volume} in pool {pool}",
    responses: [200: "Message", 400: "Message", 404: "Message"])

  /// Rename snapshot {snapshot} of volume {volume} in pool {pool}
  public static let storageSnapshotRename = OperationSpec(
    "storage.snapshot-rename", .put, "/storage/ceph/snapshot/{pool}/{volume}/{snapshot}",
    summary: "Rename snapshot {snapshot} of volume {volume} in pool {pool}",
    parameters: [.string("new_name", required: true, "Its new name")],
    responses: [200: "Message", 400: "Message", 404: "Message"],
    notes: ["new_name is required (upstream declares it optional and fails without it)"])

  /// Remove snapshot {snapshot} of volume {volume} in pool {pool}
  public static let storageSnapshotRemove = OperationSpec(
    "storage.snapshot-remove", .delete, "/storage/ceph/snapshot/{pool}/{volume}/{snapshot}",
    summary: "Remove snapshot {snapshot} of volume {volume} in pool {pool}",
    responses: [200: "Message", 400: "Message", 404: "Message"])

  /// Roll volume {volume} in pool {pool} back to snapshot {snapshot}
  public static let storageSnapshotRollback = OperationSpec(
    "storage.snapshot-rollback", .post, "/storage/ceph/snapshot/{pool}/{volume}/{snapshot}/rollback",
    summary: "Roll volume {volume} in pool {pool} back to snapshot {snapshot} (stop its writers first)",
    responses: [200: "Message", 400: "Message", 404: "Message"])

  /// Every operation of this area.
  static let storageOperations: [OperationSpec] = [
    storageStatus, storageUtilization, storageBenchmarkList, storageBenchmarkRun, storageOption, storageOSDList,
    storageOSDAdd, storageOSDRemove, storageOSDReplace, storageOSDRefresh, storageOSDDatabaseVG, storageOSDInfo,
    storageOSDState,
    storageOSDSetState, storagePoolList, storagePoolAdd, storagePoolInfo, storagePoolAddNamed, storagePoolSetPGs,
    storagePoolRemove, storageVolumeList, storageVolumeAdd, storageVolumeInfo, storageVolumeAddNamed,
    storageVolumeModify, storageVolumeRemove, storageVolumeClone, storageVolumeScan, storageVolumeUpload,
    storageSnapshotList,
    storageSnapshotAdd, storageSnapshotInfo, storageSnapshotAddNamed, storageSnapshotRename, storageSnapshotRemove,
    storageSnapshotRollback,
  ]
}
