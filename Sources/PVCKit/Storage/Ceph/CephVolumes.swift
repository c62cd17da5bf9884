/// RBD volumes as PVC keeps them: made, resized and removed through librbd
/// and recorded under `/ceph/volumes/<pool>/<volume>` with upstream's `stats`
/// (the image's `rbd info` fields), with upstream's fullness guard: a volume
/// that would take its pool past 80 % of its space is refused unless forced.
/// A volume librbd made but ZooKeeper could not record is removed again.
struct CephVolumes: Sendable {
  let rados: RadosConnection
  let zookeeper: ZooKeeper

  /// The share of a pool's space a new volume may bring it to (upstream's guard).
  static let fullnessLimit = 0.8

  /// Whether a volume of `size` bytes fits under the guard, given the pool's recorded stats (pure):
  /// `stored_bytes` and `free_bytes` from ``CephStatsDuty``; without stats there is nothing to refuse on.
  static func fits(_ size: UInt64, stats: String?) -> Bool {
    guard let stats, let value = try? JSONValue(parsing: stats) else { return true }
    let used = Double(CephStats.number(CephStats.field(value, "stored_bytes")))
    let free = Double(CephStats.number(CephStats.field(value, "free_bytes")))
    guard used + free > 0 else { return true }
    return (used + Double(size)) / (used + free) <= fullnessLimit
  }

  /// Creates a volume of `size` (upstream's size strings: `10G`, `512M`...) in a pool PVC knows.
  func add(_ name: String, pool: String, size text: String, force: Bool = false) async throws {
    let size = try StorageRules.bytes(text)
    try RBDPool.check(name, "volume")
    let poolRef = try Layout.pool(pool)
    guard try await zookeeper.exists(poolRef.path(.root)) != nil else {
      throw CephError("add volume", returned: -2, message: "pool \(pool) not found")
    }
    let ref = try Layout.volume(name, pool: pool)
    guard try await zookeeper.exists(ref.path(.root)) == nil else {
      throw CephError("add volume", returned: -17, message: "volume \(pool)/\(name) already exists")
    }
    if !force, !Self.fits(size, stats: try await zookeeper.string(poolRef.path(.stats))) {
      throw CephError(
        "add volume", returned: -28,
        message: "a volume of \(text) would fill pool \(pool) past 80 % of its space (force to make it anyway)")
    }
    let images = try RBDPool(rados, pool: pool)
    try await images.create(name, size: size)
    do {
      let stats = try await Self.stats(of: name, in: images)
      try await zookeeper.ensurePath(try Layout.volumes(inPool: pool))
      _ = try await zookeeper.multi([.create(ref.path(.root), name), .create(ref.path(.stats), stats)])
    } catch {
      try? await images.remove(name)
      throw error
    }
  }

  /// Changes a volume's size (and its recorded stats).
  func resize(_ name: String, pool: String, size text: String) async throws {
    let size = try StorageRules.bytes(text)
    let ref = try recorded(name, pool: pool)
    let images = try RBDPool(rados, pool: pool)
    try await images.resize(name, to: size)
    _ = try await zookeeper.set(ref.path(.stats), try await Self.stats(of: name, in: images))
  }

  /// Removes a volume from Ceph and from the records.
  func remove(_ name: String, pool: String) async throws {
    let ref = try recorded(name, pool: pool)
    try await RBDPool(rados, pool: pool).remove(name)
    try await zookeeper.deleteRecursively(ref.basePath)
  }

  private func recorded(_ name: String, pool: String) throws -> ObjectRef<VolumeKey> {
    try RBDPool.check(name, "volume")
    try RBDPool.check(pool, "pool")
    return try Layout.volume(name, pool: pool)
  }

  /// Upstream's volume stats (the fields of `rbd info --format json` PVC shows).
  static func stats(of name: String, in images: RBDPool) async throws -> String {
    let info = try await images.info(name)
    var order = 0
    while order < 63, UInt64(1) << UInt64(order) < info.objectSize { order += 1 }
    return CephStats.text([
      "name": .string(name), "size": .integer(Int(clamping: info.size)),
      "objects": .integer(Int(clamping: info.objectCount)), "order": .integer(order),
      "object_size": .integer(Int(clamping: info.objectSize)), "format": .integer(2),
      "features": .array(["layering", "exclusive-lock", "object-map", "fast-diff"]),
    ])
  }
}
