import Foundation
import PVCKit

/// Upstream's per-OSD and per-pool families, from the figures the primary keeps in ZooKeeper
/// (`/ceph/osds/<id>/stats`, `/ceph/pools/<pool>/stats`).
enum CephMetrics {
  static func all(osds: [OSDInfo], pools: [PoolInfo], into metrics: MetricsWriter) {
    for osd in osds { self.osd(osd, into: metrics) }
    for pool in pools { self.pool(pool, into: metrics) }
  }

  static func osd(_ osd: OSDInfo, into metrics: MetricsWriter) {
    let label = [("osd", osd.id)]
    let stats = osd.stats
    let kib = number(stats, "kb")
    let used = kib * number(stats, "utilization") / 100 * 1024
    metrics.set("pvc_ceph_osd_avail", "Bytes available on the OSD", label, max(0, kib * 1024 - used))
    metrics.info("pvc_ceph_osd_db_device", "The OSD's database device", [("db_device", osd.dbDevice), ("osd", osd.id)])
    metrics.info(
      "pvc_ceph_osd_device", "The OSD's node and block device",
      [("device", "\(osd.node):\(osd.device)"), ("osd", osd.id)])
    metrics.info(
      "pvc_ceph_osd_device_class", "The OSD's device class",
      [("device_class", text(stats, "class") ?? text(stats, "device_class") ?? ""), ("osd", osd.id)])
    metrics.set("pvc_ceph_osd_pgs", "Placement groups on the OSD", label, number(stats, "pgs"))
    metrics.set("pvc_ceph_osd_rd_data", "Bytes read per second", label, number(stats, "rd_data"))
    metrics.set("pvc_ceph_osd_rd_ops", "Reads per second", label, number(stats, "rd_ops"))
    metrics.set("pvc_ceph_osd_reweight", "The OSD's reweight", label, number(stats, "reweight"))
    metrics.set("pvc_ceph_osd_size", "The OSD's size, KiB", label, kib)
    metrics.set("pvc_ceph_osd_used", "Bytes used on the OSD", label, used)
    // Ceph's split of the used space; PVCKit's OSD figures do not hold it yet (see Compatibility.md).
    metrics.set("pvc_ceph_osd_used_data", "Bytes used by data", label, number(stats, "used_data"))
    metrics.set("pvc_ceph_osd_used_meta", "Bytes used by metadata", label, number(stats, "used_meta"))
    metrics.set("pvc_ceph_osd_used_omap", "Bytes used by omap", label, number(stats, "used_omap"))
    metrics.set("pvc_ceph_osd_util", "The OSD's space used, percent", label, number(stats, "utilization"))
    metrics.set("pvc_ceph_osd_var", "The OSD's use against the average", label, number(stats, "var"))
    metrics.set("pvc_ceph_osd_weight", "The OSD's CRUSH weight", label, number(stats, "weight"))
    metrics.set("pvc_ceph_osd_wr_data", "Bytes written per second", label, number(stats, "wr_data"))
    metrics.set("pvc_ceph_osd_wr_ops", "Writes per second", label, number(stats, "wr_ops"))
  }

  static func pool(_ pool: PoolInfo, into metrics: MetricsWriter) {
    let label = [("pool", pool.name)]
    let stats = pool.stats
    for (key, family, help) in [
      ("free_bytes", "pvc_ceph_pool_free_bytes", "Bytes the pool can still take"),
      ("num_objects", "pvc_ceph_pool_num_objects", "Objects in the pool"),
      ("num_object_clones", "pvc_ceph_pool_num_objects_clones", "Clone objects in the pool"),
      ("num_object_copies", "pvc_ceph_pool_num_objects_copies", "Object copies in the pool"),
      ("num_objects_degraded", "pvc_ceph_pool_num_objects_degraded", "Degraded objects"),
      ("num_objects_missing_on_primary", "pvc_ceph_pool_num_objects_missing_on_primary", "Objects missing on primary"),
      ("num_objects_unfound", "pvc_ceph_pool_num_objects_unfound", "Unfound objects"),
      ("read_bytes", "pvc_ceph_pool_read_bytes", "Bytes read from the pool ever"),
      ("read_ops", "pvc_ceph_pool_read_ops", "Reads from the pool ever"),
      ("stored_bytes", "pvc_ceph_pool_stored_bytes", "Bytes stored in the pool"),
      ("used_bytes", "pvc_ceph_pool_used_bytes", "Bytes the pool takes with its copies"),
      ("used_percent", "pvc_ceph_pool_used_percent", "The pool's space used, percent"),
      ("write_bytes", "pvc_ceph_pool_write_bytes", "Bytes written to the pool ever"),
      ("write_ops", "pvc_ceph_pool_write_ops", "Writes to the pool ever"),
    ] {
      metrics.set(family, help, label, number(stats, key))
    }
    metrics.set("pvc_ceph_pool_pgs", "The pool's placement groups", label, pool.pgs)
    metrics.info("pvc_ceph_pool_tier", "The pool's tier", [("pool", pool.name), ("tier", pool.tier)])
    metrics.set("pvc_ceph_pool_volumes", "Volumes in the pool", label, pool.volumeCount)
  }

  /// A number from a stats object (0 when absent or not a number; numeric strings are read).
  static func number(_ stats: JSONValue, _ key: String) -> Double {
    guard case .object(let fields) = stats else { return 0 }
    return number(fields[key])
  }

  static func number(_ value: JSONValue?) -> Double {
    switch value {
    case .integer(let whole)?: Double(whole)
    case .number(let real)? where real.isFinite: real
    case .string(let text)?: Double(text).flatMap { $0.isFinite ? $0 : nil } ?? 0
    default: 0
    }
  }

  static func text(_ stats: JSONValue, _ key: String) -> String? {
    guard case .object(let fields) = stats, case .string(let text)? = fields[key] else { return nil }
    return text
  }
}
