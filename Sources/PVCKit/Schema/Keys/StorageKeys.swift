/// The keys of a Ceph OSD (upstream element `osd`, under `/ceph/osds/<id>`).
public enum OSDKey: SchemaKey {
  case root, node, device, dbDevice, fsid, osdFSID, clusterFSID, lvm, volumeGroup, logicalVolume, isSplit, stats

  public static let element = SchemaElement.osd

  public var spec: KeySpec {
    switch self {
    case .root: KeySpec("id", "")
    case .node: KeySpec("node", "/node")
    case .device: KeySpec("device", "/device")
    case .dbDevice: KeySpec("db_device", "/db_device", since: 5)
    case .fsid: KeySpec("fsid", "/fsid", since: 8)
    case .osdFSID: KeySpec("ofsid", "/fsid/osd", since: 8)
    case .clusterFSID: KeySpec("cfsid", "/fsid/cluster", since: 8)
    case .lvm: KeySpec("lvm", "/lvm", since: 8)
    case .volumeGroup: KeySpec("vg", "/lvm/vg", since: 8)
    case .logicalVolume: KeySpec("lv", "/lvm/lv", since: 8)
    case .isSplit: KeySpec("is_split", "/is_split", since: 10, default: "False")
    case .stats: KeySpec("stats", "/stats")
    }
  }
}

/// The keys of a Ceph pool (upstream element `pool`, under `/ceph/pools/<name>`).
public enum PoolKey: SchemaKey {
  case root, pgs, tier, stats
  public static let element = SchemaElement.pool
  public var spec: KeySpec {
    switch self {
    case .root: KeySpec("name", "")
    case .pgs: KeySpec("pgs", "/pgs")
    case .tier: KeySpec("tier", "/tier", since: 7, default: "default")
    case .stats: KeySpec("stats", "/stats")
    }
  }
}

/// The keys of an RBD volume (upstream element `volume`, under `/ceph/volumes/<pool>/<name>`).
public enum VolumeKey: SchemaKey {
  case root, stats
  public static let element = SchemaElement.volume
  public var spec: KeySpec {
    switch self {
    case .root: KeySpec("name", "")
    case .stats: KeySpec("stats", "/stats")
    }
  }
}

/// The keys of an RBD snapshot (upstream element `snapshot`, under `/ceph/snapshots/<pool>/<volume>/<name>`).
public enum SnapshotKey: SchemaKey {
  case root, stats
  public static let element = SchemaElement.snapshot
  public var spec: KeySpec {
    switch self {
    case .root: KeySpec("name", "")
    case .stats: KeySpec("stats", "/stats")
    }
  }
}
