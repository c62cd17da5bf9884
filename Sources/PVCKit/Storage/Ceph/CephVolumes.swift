import Foundation

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
      throw StorageError.poolNotFound(pool)
    }
    let ref = try Layout.volume(name, pool: pool)
    guard try await zookeeper.exists(ref.path(.root)) == nil else {
      throw StorageError.exists("volume \(pool)/\(name)")
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

  /// Changes a volume's size (and its recorded stats); growth is guarded as a new volume is, unless `force`.
  func resize(_ name: String, pool: String, size text: String, force: Bool = false) async throws {
    let size = try StorageRules.bytes(text)
    let ref = try await existing(name, pool: pool)
    let images = try RBDPool(rados, pool: pool)
    let current = try await images.info(name).size
    if !force, size > current,
      !Self.fits(size - current, stats: try await zookeeper.string(Layout.pool(pool).path(.stats)))
    {
      throw CephError(
        "resize volume", returned: -28,
        message:
          "growing \(pool)/\(name) to \(text) would fill pool \(pool) past 80 % of its space (force to do it anyway)")
    }
    try await images.resize(name, to: size)
    _ = try await zookeeper.set(ref.path(.stats), try await Self.stats(of: name, in: images))
  }

  /// Renames a volume in Ceph and moves its record and its snapshots' records.
  func rename(_ name: String, pool: String, to newName: String) async throws {
    try RBDPool.check(newName, "volume")
    let ref = try await existing(name, pool: pool)
    let newRef = try Layout.volume(newName, pool: pool)
    guard try await zookeeper.exists(newRef.path(.root)) == nil else {
      throw StorageError.exists("volume \(pool)/\(newName)")
    }
    let images = try RBDPool(rados, pool: pool)
    try await images.rename(name, to: newName)
    do {
      let snapshotsParent = try Layout.snapshots(ofVolume: name, pool: pool)
      let snapshots = (try? await zookeeper.children(snapshotsParent)) ?? []
      var writes: [ZooKeeperOperation] = [
        .create(newRef.path(.root), newName),
        .create(newRef.path(.stats), try await Self.stats(of: newName, in: images)),
      ]
      if try await zookeeper.exists(snapshotsParent) != nil {
        writes.append(.create(try Layout.snapshots(ofVolume: newName, pool: pool), ""))
        for snapshot in snapshots {
          let old = try Layout.snapshot(snapshot, volume: name, pool: pool)
          let moved = try Layout.snapshot(snapshot, volume: newName, pool: pool)
          let stats = try await zookeeper.string(old.path(.stats)) ?? "{}"
          writes += [.create(moved.path(.root), snapshot), .create(moved.path(.stats), stats)]
          writes += [.delete(path: old.path(.stats)), .delete(path: old.path(.root))]
        }
        writes.append(.delete(path: snapshotsParent))
      }
      writes += [.delete(path: ref.path(.stats)), .delete(path: ref.path(.root))]
      _ = try await zookeeper.multi(writes)
    } catch {
      try? await images.rename(newName, to: name)
      throw error
    }
  }

  /// Copies a volume into a new one of the same pool (guarded as a new volume is, unless `force`).
  func clone(_ name: String, pool: String, to newName: String, force: Bool = false) async throws {
    try RBDPool.check(newName, "volume")
    _ = try await existing(name, pool: pool)
    let newRef = try Layout.volume(newName, pool: pool)
    guard try await zookeeper.exists(newRef.path(.root)) == nil else {
      throw StorageError.exists("volume \(pool)/\(newName)")
    }
    let images = try RBDPool(rados, pool: pool)
    let size = try await images.info(name).size
    if !force, !Self.fits(size, stats: try await zookeeper.string(Layout.pool(pool).path(.stats))) {
      throw CephError(
        "clone volume", returned: -28,
        message: "a copy of \(pool)/\(name) would fill pool \(pool) past 80 % of its space (force to make it anyway)")
    }
    try await images.copy(name, to: newName)
    do {
      _ = try await zookeeper.multi([
        .create(newRef.path(.root), newName),
        .create(newRef.path(.stats), try await Self.stats(of: newName, in: images)),
      ])
    } catch {
      try? await images.remove(newName)
      throw error
    }
  }

  /// Removes a volume from Ceph and from the records; refused while it has snapshots.
  func remove(_ name: String, pool: String) async throws {
    let ref = try await existing(name, pool: pool)
    let images = try RBDPool(rados, pool: pool)
    let snapshots = try await images.snapshots(of: name)
    guard snapshots.isEmpty else {
      throw StorageError.hasSnapshots(pool: pool, volume: name, snapshots: snapshots.map(\.name))
    }
    try await images.remove(name)
    try await zookeeper.deleteRecursively(ref.basePath)
    try await zookeeper.deleteRecursively(try Layout.snapshots(ofVolume: name, pool: pool))
  }

  /// Deletes a VM's disk with its snapshots, from Ceph and from the records (recorded or not; gone already is fine).
  func removeDisk(_ name: String, pool: String) async throws {
    let ref = try recorded(name, pool: pool)
    let images = try RBDPool(rados, pool: pool)
    do {
      for snapshot in try await images.snapshots(of: name) { try await images.removeSnapshot(snapshot.name, of: name) }
      // A VM just stopped, or a dead node's QEMU, may still watch the image (a dead client's watch lapses after
      // Ceph's watch timeout, 30 s by default): busy is asked again until then.
      let deadline = ContinuousClock.now + .seconds(45)
      while true {
        do {
          try await images.remove(name)
          break
        } catch let error as CephError where error.code == EBUSY && ContinuousClock.now < deadline {
          try await Task.sleep(for: .seconds(2))
        }
      }
    } catch let error as CephError where error.kind == .notFound {
      // Not in Ceph (any more): only records are left to remove.
    }
    try await zookeeper.deleteRecursively(ref.basePath)
    try await zookeeper.deleteRecursively(try Layout.snapshots(ofVolume: name, pool: pool))
  }

  /// Records a volume that exists in Ceph, or refreshes its recorded stats.
  func scan(_ name: String, pool: String) async throws {
    try RBDPool.check(name, "volume")
    try RBDPool.check(pool, "pool")
    guard try await zookeeper.exists(Layout.pool(pool).path(.root)) != nil else {
      throw StorageError.poolNotFound(pool)
    }
    let ref = try Layout.volume(name, pool: pool)
    let stats = try await Self.stats(of: name, in: try RBDPool(rados, pool: pool))
    if try await zookeeper.exists(ref.path(.root)) == nil {
      try await zookeeper.ensurePath(try Layout.volumes(inPool: pool))
      _ = try await zookeeper.multi([.create(ref.path(.root), name), .create(ref.path(.stats), stats)])
    } else {
      try await zookeeper.ensurePath(ref.path(.stats))
      _ = try await zookeeper.set(ref.path(.stats), stats)
    }
  }

  /// The record of a volume PVC knows (checked names), or ``StorageError/volumeNotFound(pool:volume:)``.
  func existing(_ name: String, pool: String) async throws -> ObjectRef<VolumeKey> {
    let ref = try recorded(name, pool: pool)
    guard try await zookeeper.exists(ref.path(.root)) != nil else {
      throw StorageError.volumeNotFound(pool: pool, volume: name)
    }
    return ref
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
