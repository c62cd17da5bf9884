import CCeph

extension RadosConnection {
  /// A pool's object and I/O counters (librados' `rados_pool_stat_t`).
  public struct PoolCounters: Sendable, Hashable {
    public var objects: UInt64
    public var objectClones: UInt64
    public var objectCopies: UInt64
    public var objectsMissingOnPrimary: UInt64
    public var objectsUnfound: UInt64
    public var objectsDegraded: UInt64
    public var readOperations: UInt64
    public var readBytes: UInt64
    public var writeOperations: UInt64
    public var writeBytes: UInt64
  }

  /// The counters of `pool`.
  public func counters(of pool: String) async throws -> PoolCounters {
    try RBDPool.check(pool, "pool")
    return try await blocking { cluster in
      var io: rados_ioctx_t?
      var result = rados_ioctx_create(cluster, pool, &io)
      guard result == 0, let io else { throw CephError("open pool \(pool)", returned: result) }
      defer { rados_ioctx_destroy(io) }
      var stat = rados_pool_stat_t()
      result = rados_ioctx_pool_stat(io, &stat)
      guard result == 0 else { throw CephError("statistics of pool \(pool)", returned: result) }
      return PoolCounters(
        objects: stat.num_objects, objectClones: stat.num_object_clones, objectCopies: stat.num_object_copies,
        objectsMissingOnPrimary: stat.num_objects_missing_on_primary, objectsUnfound: stat.num_objects_unfound,
        objectsDegraded: stat.num_objects_degraded, readOperations: stat.num_rd,
        readBytes: stat.num_rd_kb.multipliedReportingOverflow(by: 1024).partialValue, writeOperations: stat.num_wr,
        writeBytes: stat.num_wr_kb.multipliedReportingOverflow(by: 1024).partialValue)
    }
  }
}
