/// The storage cluster's status or space report, as upstream's API shows it
/// (`GET /storage/ceph/status`, `/storage/ceph/utilization`): Ceph's own text,
/// as the primary last recorded it.
public struct StorageReport: Codable, Sendable, Hashable {
  /// `status` or `utilization`.
  public var type: String
  /// The primary coordinator, which keeps the records.
  public var primaryNode: String
  /// Ceph's text (`ceph status` or `ceph df`).
  public var cephData: String

  /// A report.
  public init(type: String, primaryNode: String, cephData: String) {
    self.type = type
    self.primaryNode = primaryNode
    self.cephData = cephData
  }

  enum CodingKeys: String, CodingKey {
    case type
    case primaryNode = "primary_node"
    case cephData = "ceph_data"
  }
}

/// A Ceph pool PVC manages (`GET /storage/ceph/pool`).
public struct PoolInfo: Codable, Sendable, Hashable {
  public var name: String
  /// How many volumes PVC records in it.
  public var volumeCount: Int
  /// The device class its placement rule takes (`default`: any).
  public var tier: String
  /// Its placement group count.
  public var pgs: Int
  /// Upstream's statistics object (`stored_bytes`, `free_bytes`, `used_percent`, `num_objects`...), as the
  /// primary last recorded it; empty until then.
  public var stats: JSONValue

  /// A pool.
  public init(name: String, volumeCount: Int, tier: String, pgs: Int, stats: JSONValue) {
    self.name = name
    self.volumeCount = volumeCount
    self.tier = tier
    self.pgs = pgs
    self.stats = stats
  }

  /// A whole number of its statistics (0 when absent).
  public func stat(_ name: String) -> Int { StorageStats.number(stats, name) }

  enum CodingKeys: String, CodingKey {
    case name, tier, pgs, stats
    case volumeCount = "volume_count"
  }
}

/// An RBD volume PVC manages (`GET /storage/ceph/volume`).
public struct VolumeInfo: Codable, Sendable, Hashable {
  public var name: String
  public var pool: String
  /// Upstream's statistics object (the image's `rbd info` fields; `size` in upstream's human form, `10G`).
  public var stats: JSONValue

  /// A volume.
  public init(name: String, pool: String, stats: JSONValue) {
    self.name = name
    self.pool = pool
    self.stats = stats
  }

  /// Its size in bytes (from the human form, so rounded up to its unit).
  public var size: UInt64 {
    switch StorageStats.field(stats, "size") {
    case .string(let text)?: (try? StorageRules.bytes(text)) ?? 0
    case let value: UInt64(max(0, StorageStats.number(value)))
    }
  }

  /// `pool/name`.
  public var path: String { pool + "/" + name }

  /// A whole number of its statistics (0 when absent).
  public func stat(_ name: String) -> Int { StorageStats.number(stats, name) }
}

/// An RBD snapshot PVC manages (`GET /storage/ceph/snapshot`).
public struct VolumeSnapshotInfo: Codable, Sendable, Hashable {
  public var pool: String
  public var volume: String
  public var snapshot: String
  /// Its statistics (`size` in bytes, `timestamp` when taken); empty for records upstream made without them.
  public var stats: JSONValue

  /// A snapshot.
  public init(pool: String, volume: String, snapshot: String, stats: JSONValue = .object([:])) {
    self.pool = pool
    self.volume = volume
    self.snapshot = snapshot
    self.stats = stats
  }

  /// `pool/volume@snapshot`.
  public var path: String { "\(pool)/\(volume)@\(snapshot)" }
}

/// A Ceph OSD PVC manages (`GET /storage/ceph/osd`).
public struct OSDInfo: Codable, Sendable, Hashable {
  /// Its Ceph ID (a whole number, as text).
  public var id: String
  /// The OSD's own FSID.
  public var fsid: String
  /// The node it runs on.
  public var node: String
  /// Its data device.
  public var device: String
  /// Whether it shares its device with other OSDs.
  public var isSplit: Bool
  /// Its database/WAL volume, or empty.
  public var dbDevice: String
  /// Upstream's statistics object (`up`, `in`, `kb`, `used`, `avail`, `utilization`, `pgs`, `state`...), as the
  /// primary last recorded it.
  public var stats: JSONValue

  /// An OSD.
  public init(
    id: String, fsid: String = "", node: String, device: String, isSplit: Bool = false, dbDevice: String = "",
    stats: JSONValue = .object([:])
  ) {
    self.id = id
    self.fsid = fsid
    self.node = node
    self.device = device
    self.isSplit = isSplit
    self.dbDevice = dbDevice
    self.stats = stats
  }

  /// A whole number of its statistics (0 when absent).
  public func stat(_ name: String) -> Int { StorageStats.number(stats, name) }
  /// A text of its statistics (`nil` when absent).
  public func statText(_ name: String) -> String? { StorageStats.text(stats, name) }

  /// Whether Ceph has it up.
  public var isUp: Bool { StorageStats.number(stats, "up") == 1 }
  /// Whether Ceph has it in (holding data).
  public var isIn: Bool { StorageStats.number(stats, "in") == 1 }

  enum CodingKeys: String, CodingKey {
    case id, fsid, node, device, stats
    case isSplit = "is_split"
    case dbDevice = "db_device"
  }
}

/// Whether an OSD holds data (`in`) or is being emptied (`out`).
public enum OSDState: String, Codable, Sendable, Hashable, CaseIterable {
  case `in`, out
}

/// The cluster-wide OSD flags Ceph knows (`ceph osd set|unset`).
public enum OSDFlag: String, Codable, Sendable, Hashable, CaseIterable {
  case full, pause, noup, nodown, noout, noin, nobackfill, norebalance, norecover, noscrub
  case nodeepScrub = "nodeep-scrub"
  case notieragent, nosnaptrim
}

/// Reading upstream's statistics objects.
enum StorageStats {
  static func field(_ value: JSONValue?, _ name: String) -> JSONValue? {
    if case .object(let fields)? = value { return fields[name] }
    return nil
  }

  static func number(_ value: JSONValue?, _ name: String) -> Int { number(field(value, name)) }

  static func text(_ value: JSONValue?, _ name: String) -> String? {
    if case .string(let text)? = field(value, name) { return text }
    return nil
  }

  /// A whole number (0 when absent or not a number).
  static func number(_ value: JSONValue?) -> Int {
    switch value {
    case .integer(let whole)?: whole
    case .number(let real)?: Int(checkedTruncating: real.rounded()) ?? 0
    case .string(let text)?: Int(bounded: text) ?? 0
    default: 0
    }
  }

  /// A record's JSON object (an empty object when it is not one).
  static func object(_ text: String?) -> JSONValue {
    guard let text, let value = try? JSONValue(parsing: text), case .object = value else { return .object([:]) }
    return value
  }
}
