import Foundation

/// RBD snapshots as PVC keeps them: taken, renamed, rolled back and removed
/// through librbd and recorded under `/ceph/snapshots/<pool>/<volume>/<name>`
/// (upstream's layout), with `stats` (size and time taken). A snapshot librbd
/// took but ZooKeeper could not record is removed again.
struct CephSnapshots: Sendable {
  let rados: RadosConnection
  let zookeeper: ZooKeeper

  var volumes: CephVolumes { CephVolumes(rados: rados, zookeeper: zookeeper) }

  /// Takes a snapshot of a volume PVC knows.
  func add(_ name: String, volume: String, pool: String) async throws {
    try RBDPool.check(name, "snapshot")
    _ = try await volumes.existing(volume, pool: pool)
    let ref = try Layout.snapshot(name, volume: volume, pool: pool)
    guard try await zookeeper.exists(ref.path(.root)) == nil else {
      throw StorageError.exists("snapshot \(pool)/\(volume)@\(name)")
    }
    let images = try RBDPool(rados, pool: pool)
    try await images.createSnapshot(name, of: volume)
    do {
      try await record(name, volume: volume, pool: pool)
    } catch {
      try? await images.removeSnapshot(name, of: volume)
      throw error
    }
  }

  /// Records a snapshot the volume has in Ceph (one that came with an imported image); a recorded one is left.
  func record(_ name: String, volume: String, pool: String) async throws {
    let ref = try Layout.snapshot(name, volume: volume, pool: pool)
    guard try await zookeeper.exists(ref.path(.root)) == nil else { return }
    let taken = try await RBDPool(rados, pool: pool).snapshots(of: volume).first { $0.name == name }
    guard let taken else { throw StorageError.snapshotNotFound(pool: pool, volume: volume, snapshot: name) }
    let stats = CephStats.text([
      "name": .string(name), "id": .integer(Int(clamping: taken.id)), "size": .integer(Int(clamping: taken.size)),
      "timestamp": .integer(Int(Date().timeIntervalSince1970)),
    ])
    try await zookeeper.ensurePath(try Layout.snapshots(ofVolume: volume, pool: pool))
    _ = try await zookeeper.multi([.create(ref.path(.root), name), .create(ref.path(.stats), stats)])
  }

  /// Renames a snapshot and its record.
  func rename(_ name: String, volume: String, pool: String, to newName: String) async throws {
    try RBDPool.check(newName, "snapshot")
    let ref = try await existing(name, volume: volume, pool: pool)
    let newRef = try Layout.snapshot(newName, volume: volume, pool: pool)
    guard try await zookeeper.exists(newRef.path(.root)) == nil else {
      throw StorageError.exists("snapshot \(pool)/\(volume)@\(newName)")
    }
    let images = try RBDPool(rados, pool: pool)
    try await images.renameSnapshot(name, of: volume, to: newName)
    do {
      var stats = StorageStats.object(try await zookeeper.string(ref.path(.stats)))
      if case .object(var fields) = stats {
        fields["name"] = .string(newName)
        stats = .object(fields)
      }
      let text = (try? UpstreamJSON.encode(stats)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
      _ = try await zookeeper.multi([
        .create(newRef.path(.root), newName), .create(newRef.path(.stats), text),
        .delete(path: ref.path(.stats)), .delete(path: ref.path(.root)),
      ])
    } catch {
      try? await images.renameSnapshot(newName, of: volume, to: name)
      throw error
    }
  }

  /// Rolls a volume back to a snapshot.
  func rollback(_ name: String, volume: String, pool: String) async throws {
    _ = try await existing(name, volume: volume, pool: pool)
    let images = try RBDPool(rados, pool: pool)
    try await images.rollback(volume, to: name)
    let volumeRef = try Layout.volume(volume, pool: pool)
    _ = try? await zookeeper.set(volumeRef.path(.stats), try await CephVolumes.stats(of: volume, in: images))
  }

  /// Removes a snapshot and its record.
  func remove(_ name: String, volume: String, pool: String) async throws {
    let ref = try await existing(name, volume: volume, pool: pool)
    do {
      try await RBDPool(rados, pool: pool).removeSnapshot(name, of: volume)
    } catch let error as CephError where error.kind == .notFound {
      // Gone from Ceph already: only the record is left to remove.
    }
    try await zookeeper.deleteRecursively(ref.basePath)
  }

  /// The record of a snapshot PVC knows, or ``StorageError/snapshotNotFound(pool:volume:snapshot:)``.
  func existing(_ name: String, volume: String, pool: String) async throws -> ObjectRef<SnapshotKey> {
    try RBDPool.check(name, "snapshot")
    try RBDPool.check(volume, "volume")
    try RBDPool.check(pool, "pool")
    let ref = try Layout.snapshot(name, volume: volume, pool: pool)
    guard try await zookeeper.exists(ref.path(.root)) != nil else {
      throw StorageError.snapshotNotFound(pool: pool, volume: volume, snapshot: name)
    }
    return ref
  }
}
