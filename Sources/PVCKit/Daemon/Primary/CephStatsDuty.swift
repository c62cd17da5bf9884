import Foundation
import Logging

/// The primary's Ceph records, as upstream's primary keeps them (schema v15):
/// `/ceph` (the status text), `/ceph/health` (the health JSON), `/ceph/util`
/// (the `df` text), and the `stats` of every pool and OSD PVC knows
/// (`/ceph/pools/<pool>/stats`, `/ceph/osds/<id>/stats`, in upstream's JSON
/// shapes), so that listings are answered from ZooKeeper without asking Ceph.
/// Refreshed every `interval`; a Ceph that does not answer is reported once
/// and asked again (its records keep their last values).
struct CephStatsDuty: Sendable {
  let zookeeper: ZooKeeper
  /// The cluster's `ceph.conf` (client.admin's keyring as it names).
  let configurationFile: String
  let logger: Logger
  var interval: Duration = .seconds(5)

  /// The duty, for the primary agent.
  func duty() -> LoopDuty {
    LoopDuty(name: "ceph statistics") { await run() }
  }

  func run() async {
    var rados: RadosConnection?
    var reported = false
    while !Task.isCancelled {
      do {
        if rados == nil {
          rados = try await RadosConnection.connect(configurationFile: configurationFile)
          try await prepare()
        }
        if let rados { try await pass(rados) }
        if reported { logger.info("ceph statistics: Ceph answers again") }
        reported = false
      } catch {
        if !reported { logger.warning("ceph statistics: \(error)") }
        reported = true
        rados = nil
      }
      try? await Task.sleep(for: interval)
    }
  }

  /// Makes the records' parents (once per connection, not every pass).
  func prepare() async throws {
    for key: BaseKey in [.storage, .storageHealth, .storageUtil, .pools, .osds] {
      try await zookeeper.ensurePath(Layout.base.path(key))
    }
  }

  /// One refresh of every record (after ``prepare()``).
  func pass(_ rados: RadosConnection) async throws {
    let status = try await rados.monitorCommand(["prefix": "status"]).output
    let health = try await rados.monitorCommand(["prefix": "health", "format": "json"]).output
    let util = try await rados.monitorCommand(["prefix": "df"]).output
    var writes: [ZooKeeperOperation] = [
      .set(Layout.base.path(.storage), status), .set(Layout.base.path(.storageHealth), health),
      .set(Layout.base.path(.storageUtil), util),
    ]
    // Pools PVC knows: `ceph df` for space, librados for objects and I/O.
    let df = try await rados.monitorJSON(["prefix": "df"])
    for pool in try await zookeeper.children(Layout.base.path(.pools)) {
      guard let ref = try? Layout.pool(pool) else { continue }
      do {
        let counters = try await rados.counters(of: pool)
        let stats = CephStats.pool(pool, df: df, counters: counters)
        writes.append(.set(ref.path(.stats), stats))
      } catch let error as CephError where error.kind == .notFound {
        continue  // recorded by PVC, gone from Ceph: reported by the fault checks, not here
      }
    }
    // OSDs PVC knows: `osd dump` for state, `osd df` for space.
    let dump = try await rados.monitorJSON(["prefix": "osd dump"])
    let osdDF = try await rados.monitorJSON(["prefix": "osd df"])
    for id in try await zookeeper.children(Layout.base.path(.osds)) {
      guard let ref = try? Layout.osd(id), let stats = CephStats.osd(id, dump: dump, df: osdDF) else { continue }
      writes.append(.set(ref.path(.stats), stats))
    }
    for write in writes {
      // Records made by an older writer may lack their stats key: create it then.
      do {
        _ = try await zookeeper.multi([write])
      } catch let error as ZooKeeperError where error.code == .noNode {
        if case .setData(let path, let data, _) = write {
          _ = try? await zookeeper.multi([.create(path: path, data: data)])
        }
      }
    }
  }
}

/// Upstream's JSON shapes of pool and OSD statistics, from Ceph's answers (pure).
enum CephStats {
  /// A whole number in a JSON answer (0 when absent).
  static func number(_ value: JSONValue?) -> Int {
    switch value {
    case .integer(let whole)?: whole
    case .number(let real)?: Int(exactly: real.rounded()) ?? 0
    default: 0
    }
  }

  static func field(_ value: JSONValue?, _ name: String) -> JSONValue? {
    if case .object(let fields)? = value { return fields[name] }
    return nil
  }

  /// `/ceph/pools/<pool>/stats`.
  static func pool(_ name: String, df: JSONValue, counters: RadosConnection.PoolCounters) -> String {
    var entry: JSONValue?
    if case .array(let pools)? = field(df, "pools") {
      entry = pools.first { field($0, "name") == .string(name) }
    }
    let stats = field(entry, "stats")
    let stored = number(field(stats, "stored"))
    let used = number(field(stats, "bytes_used"))
    let free = number(field(stats, "max_avail"))
    let percent: Double =
      if case .number(let real)? = field(stats, "percent_used") { real } else {
        Double(number(field(stats, "percent_used")))
      }
    func whole(_ value: UInt64) -> JSONValue { .integer(Int(clamping: value)) }
    let object: [String: JSONValue] = [
      "id": .integer(number(field(entry, "id"))), "stored_bytes": .integer(stored), "free_bytes": .integer(free),
      "used_bytes": .integer(used), "used_percent": .number(percent), "num_objects": whole(counters.objects),
      "num_object_clones": whole(counters.objectClones), "num_object_copies": whole(counters.objectCopies),
      "num_objects_missing_on_primary": whole(counters.objectsMissingOnPrimary),
      "num_objects_unfound": whole(counters.objectsUnfound), "num_objects_degraded": whole(counters.objectsDegraded),
      "read_ops": whole(counters.readOperations), "read_bytes": whole(counters.readBytes),
      "write_ops": whole(counters.writeOperations), "write_bytes": whole(counters.writeBytes),
    ]
    return text(object)
  }

  /// `/ceph/osds/<id>/stats`, or `nil` when Ceph does not know the OSD.
  static func osd(_ id: String, dump: JSONValue, df: JSONValue) -> String? {
    guard let number = Int(id) else { return nil }
    var state: JSONValue?
    if case .array(let osds)? = field(dump, "osds") {
      state = osds.first { self.number(field($0, "osd")) == number && field($0, "osd") != nil }
    }
    guard let state else { return nil }
    var space: JSONValue?
    if case .array(let nodes)? = field(df, "nodes") {
      space = nodes.first { self.number(field($0, "id")) == number && field($0, "id") != nil }
    }
    let states: String =
      if case .array(let names)? = field(state, "state") {
        names.compactMap { if case .string(let name) = $0 { name } else { nil } }.joined(separator: ",")
      } else { "" }
    let kb = self.number(field(space, "kb"))
    let used = self.number(field(space, "kb_used"))
    let utilization: JSONValue = field(space, "utilization") ?? .number(0)
    let object: [String: JSONValue] = [
      "id": .string(id), "uuid": field(state, "uuid") ?? .string(""), "up": .integer(self.number(field(state, "up"))),
      "in": .integer(self.number(field(state, "in"))),
      "primary_affinity": field(state, "primary_affinity") ?? .integer(1),
      "reweight": field(space, "reweight") ?? .number(1), "state": .string(states), "kb": .integer(kb),
      "used": .string(human(used * 1024)), "avail": .string(human(max(0, kb - used) * 1024)),
      "utilization": utilization, "pgs": .integer(self.number(field(space, "pgs"))),
      "var": field(space, "var") ?? .number(0), "wr_ops": .integer(0), "wr_data": .integer(0), "rd_ops": .integer(0),
      "rd_data": .integer(0), "class": field(space, "device_class") ?? .string(""),
    ]
    return text(object)
  }

  /// A size as Ceph's tables show it (`0 B`, `12 KiB`, `1.5 GiB`).
  static func human(_ bytes: Int) -> String {
    let units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"]
    var value = Double(max(0, bytes))
    var unit = 0
    while value >= 1024, unit < units.count - 1 {
      value /= 1024
      unit += 1
    }
    return unit == 0 || value >= 10
      ? "\(Int(value.rounded())) \(units[unit])" : "\(String(format: "%.1f", value)) \(units[unit])"
  }

  static func text(_ object: [String: JSONValue]) -> String {
    (try? UpstreamJSON.encode(JSONValue.object(object))).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
  }
}
