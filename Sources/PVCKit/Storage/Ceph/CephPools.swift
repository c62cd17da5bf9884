/// Ceph pools as PVC keeps them: created, resized and removed in Ceph through
/// monitor commands, and recorded under `/ceph/pools/<pool>` (with
/// `/ceph/volumes/<pool>` and `/ceph/snapshots/<pool>`) in upstream's layout.
/// Every value is checked first; a pool Ceph made but ZooKeeper could not
/// record is removed again, so nothing is left half made.
struct CephPools: Sendable {
  let rados: RadosConnection
  let zookeeper: ZooKeeper

  /// Creates a pool for RBD volumes.
  func add(_ name: String, pgs: Int, replication text: String, tier: String = "default") async throws {
    try RBDPool.check(name, "pool")
    let pgs = try StorageRules.placementGroups(pgs)
    let replication = try StorageRules.replication(text)
    let tier = try StorageRules.tier(tier)
    let ref = try Layout.pool(name)
    let recorded = try await zookeeper.exists(ref.path(.root)) != nil
    let inCeph = try await rados.poolNames().contains(name)
    if recorded || inCeph {
      throw StorageError.exists("pool \(name)")
    }
    var create: [String: JSONValue] = [
      "prefix": "osd pool create", "pool": .string(name), "pg_num": .integer(pgs), "pgp_num": .integer(pgs),
    ]
    if tier != "default" {
      let rule = "\(tier)_tier"
      _ = try await rados.monitorCommand([
        "prefix": "osd crush rule create-replicated", "name": .string(rule), "root": "default", "type": "osd",
        "class": .string(tier),
      ])
      create["rule"] = .string(rule)
    }
    _ = try await rados.monitorCommand(create)
    do {
      for (variable, value) in [("size", replication.copies), ("min_size", replication.minimumCopies)] {
        _ = try await rados.monitorCommand([
          "prefix": "osd pool set", "pool": .string(name), "var": .string(variable), "val": .string(String(value)),
        ])
      }
      _ = try await rados.monitorCommand(["prefix": "osd pool application enable", "pool": .string(name), "app": "rbd"])
      for parent in [Layout.base.path(.pools), Layout.base.path(.volumes), Layout.base.path(.snapshots)] {
        try await zookeeper.ensurePath(parent)
      }
      _ = try await zookeeper.multi([
        .create(ref.path(.root), name), .create(ref.path(.pgs), String(pgs)), .create(ref.path(.tier), tier),
        .create(ref.path(.stats), "{}"), .create(Layout.base.path(.volumes) + "/" + name, ""),
        .create(Layout.base.path(.snapshots) + "/" + name, ""),
      ])
    } catch {
      _ = try? await removeFromCeph(name)
      throw error
    }
  }

  /// Changes a pool's placement group count.
  func setPlacementGroups(_ name: String, _ pgs: Int) async throws {
    try RBDPool.check(name, "pool")
    let pgs = try StorageRules.placementGroups(pgs)
    let ref = try Layout.pool(name)
    guard try await zookeeper.exists(ref.path(.root)) != nil else {
      throw StorageError.poolNotFound(name)
    }
    for variable in ["pg_num", "pgp_num"] {
      _ = try await rados.monitorCommand([
        "prefix": "osd pool set", "pool": .string(name), "var": .string(variable), "val": .string(String(pgs)),
      ])
    }
    _ = try await zookeeper.set(ref.path(.pgs), String(pgs))
  }

  /// Removes a pool, its volumes and their snapshots from Ceph and from the records.
  func remove(_ name: String) async throws {
    try RBDPool.check(name, "pool")
    let ref = try Layout.pool(name)
    guard try await zookeeper.exists(ref.path(.root)) != nil else {
      throw StorageError.poolNotFound(name)
    }
    try await removeFromCeph(name)
    for path in [ref.basePath, Layout.base.path(.volumes) + "/" + name, Layout.base.path(.snapshots) + "/" + name] {
      try await zookeeper.deleteRecursively(path)
    }
  }

  private func removeFromCeph(_ name: String) async throws {
    _ = try await rados.monitorCommand([
      "prefix": "osd pool rm", "pool": .string(name), "pool2": .string(name), "yes_i_really_really_mean_it": true,
    ])
  }
}
