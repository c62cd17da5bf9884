import HTTPTypes
import Hummingbird
import PVCKit
import PVCKitServer

/// `/storage/ceph`: pools, volumes, snapshots and OSDs.
enum StorageRoutes {
  static let all: [APIRoute] = status + osds + pools + volumes + snapshots

  /// A listing, or upstream's 404 with its message when nothing matches.
  static func listing(_ items: [some Encodable], missing: String) throws -> Response {
    items.isEmpty ? Responses.message(missing, status: .notFound) : try Responses.json(items)
  }

  static let status: [APIRoute] = [
    APIRoute(.storageStatus) { call in try Responses.json(try await call.cluster.storage.status()) },
    APIRoute(.storageUtilization) { call in try Responses.json(try await call.cluster.storage.utilization()) },
    APIRoute(.storageBenchmarkList) { call in
      try listing(
        try await call.cluster.storage.benchmarks(job: call.parameters.string("job")), missing: "No benchmark found.")
    },
    APIRoute(.storageBenchmarkRun) { call in
      let p = call.parameters
      let pool = p.string("pool") ?? ""
      _ = try await call.cluster.storage.pool(pool)
      // As upstream: always a task to follow (202).
      return try TaskRoutes.accepted(
        try await call.cluster.queue(
          StorageBenchmarkTask.self,
          .init(pool: pool, name: p.string("name"), runtime: p.int("runtime") ?? 75, size: p.string("size") ?? "8G")))
    },
    APIRoute(.storageOption) { call in
      let option = call.parameters.string("option") ?? ""
      let enabled = call.parameters.string("action") == "set"
      guard let flag = OSDFlag(rawValue: option) else { throw APIError.parameter("option", "not an OSD flag") }
      try await call.cluster.storage.setOSDFlag(flag, enabled)
      return Responses.message("\(enabled ? "Set" : "Unset") OSD flag \(option).")
    },
  ]

  static let osds: [APIRoute] = [
    APIRoute(.storageOSDList) { call in
      try listing(
        try await call.cluster.storage.osds(limit: call.parameters.string("limit")), missing: "OSD not found.")
    },
    APIRoute(.storageOSDAdd) { call in
      let p = call.parameters
      guard p.string("ext_db_ratio") == nil, p.string("ext_db_size") == nil else {
        throw APIError.badRequest(
          "external database volumes (ext_db_ratio, ext_db_size) need LVM; PVCKit does not make them")
      }
      var weight: Double?
      if let text = p.string("weight") {
        guard let value = Double(bounded: text), value >= 0, value <= 1000 else {
          throw APIError.parameter("weight", "not a weight (a number from 0 to 1000)")
        }
        weight = value
      }
      return try TaskRoutes.accepted(
        try await call.cluster.queue(
          StorageOSDAddTask.self, .init(node: p.string("node") ?? "", device: p.string("device") ?? "", weight: weight))
      )
    },
    APIRoute(.storageOSDRemove) { call in
      let id = call.path("osdid")
      _ = try await call.cluster.storage.osd(id)
      return try TaskRoutes.accepted(
        try await call.cluster.queue(StorageOSDRemoveTask.self, .init(id: id, force: call.parameters.flag("force"))))
    },
    APIRoute(.storageOSDReplace) { call in
      let p = call.parameters
      guard p.string("ext_db_ratio") == nil, p.string("ext_db_size") == nil else {
        throw APIError.badRequest(
          "external database volumes (ext_db_ratio, ext_db_size) need LVM; PVCKit does not make them")
      }
      let id = call.path("osdid")
      _ = try await call.cluster.storage.osd(id)
      return try TaskRoutes.accepted(
        try await call.cluster.queue(
          StorageOSDReplaceTask.self, .init(id: id, newDevice: p.string("new_device") ?? "", weight: try weight(p))))
    },
    APIRoute(.storageOSDRefresh) { call in
      let id = call.path("osdid")
      _ = try await call.cluster.storage.osd(id)
      return try TaskRoutes.accepted(
        try await call.cluster.queue(
          StorageOSDRefreshTask.self, .init(id: id, device: call.parameters.string("device") ?? "")))
    },
    APIRoute(.storageOSDDatabaseVG) { call in
      let p = call.parameters
      return try TaskRoutes.accepted(
        try await call.cluster.queue(
          StorageOSDDatabaseVGTask.self, .init(node: p.string("node") ?? "", device: p.string("device") ?? "")))
    },
    APIRoute(.storageOSDInfo) { call in
      try listing(
        try await call.cluster.storage.osds(limit: nil).filter { $0.id == call.path("osdid") },
        missing: "OSD not found.")
    },
    APIRoute(.storageOSDState) { call in
      guard let osd = try await call.cluster.storage.osds(limit: nil).first(where: { $0.id == call.path("osdid") })
      else {
        return Responses.message("OSD not found.", status: .notFound)
      }
      let state = JSONValue.object([
        "id": .string(osd.id), "in": .integer(osd.isIn ? 1 : 0), "up": .integer(osd.isUp ? 1 : 0),
      ])
      return try Responses.json(state)
    },
    APIRoute(.storageOSDSetState) { call in
      let state = OSDState(rawValue: call.parameters.string("state") ?? "") ?? .in
      try await call.cluster.storage.setOSDState(call.path("osdid"), state)
      return Responses.message("Set OSD \(call.path("osdid")) \(state.rawValue).")
    },
  ]

  /// An OSD's CRUSH weight parameter, checked.
  static func weight(_ p: ValidatedParameters) throws -> Double? {
    guard let text = p.string("weight") else { return nil }
    guard let value = Double(bounded: text), value >= 0, value <= 1000 else {
      throw APIError.parameter("weight", "not a weight (a number from 0 to 1000)")
    }
    return value
  }

  static let pools: [APIRoute] = [
    APIRoute(.storagePoolList) { call in
      try listing(
        try await call.cluster.storage.pools(limit: call.parameters.string("limit")), missing: "Pool not found.")
    },
    APIRoute(.storagePoolAdd) { call in try await addPool(call, call.parameters.string("pool") ?? "") },
    APIRoute(.storagePoolAddNamed) { call in try await addPool(call, call.path("pool")) },
    APIRoute(.storagePoolInfo) { call in
      try listing(
        try await call.cluster.storage.pools(limit: nil).filter { $0.name == call.path("pool") },
        missing: "Pool not found.")
    },
    APIRoute(.storagePoolSetPGs) { call in
      let pgs = call.parameters.int("pgs") ?? 0
      try await call.cluster.storage.setPlacementGroups(pool: call.path("pool"), pgs)
      return Responses.message("Set the placement group count of pool \(call.path("pool")) to \(pgs).")
    },
    APIRoute(.storagePoolRemove) { call in
      try await call.cluster.storage.removePool(call.path("pool"))
      return Responses.message("Removed pool \(call.path("pool")) and its volumes.")
    },
  ]

  static func addPool(_ call: APICall, _ name: String) async throws -> Response {
    let p = call.parameters
    try await call.cluster.storage.addPool(
      name, pgs: p.int("pgs") ?? 0, replication: p.string("replcfg") ?? "", tier: p.string("tier") ?? "default")
    return Responses.message("Added pool \(name).")
  }

  static let volumes: [APIRoute] = [
    APIRoute(.storageVolumeList) { call in
      try listing(
        try await call.cluster.storage.volumes(
          limit: call.parameters.string("limit"), pool: call.parameters.string("pool")), missing: "Volume not found.")
    },
    APIRoute(.storageVolumeAdd) { call in
      try await addVolume(call, call.parameters.string("volume") ?? "", pool: call.parameters.string("pool") ?? "")
    },
    APIRoute(.storageVolumeAddNamed) { call in
      try await addVolume(call, call.path("volume"), pool: call.path("pool"))
    },
    APIRoute(.storageVolumeInfo) { call in
      do {
        return try Responses.json([try await call.cluster.storage.volume(call.path("volume"), pool: call.path("pool"))])
      } catch let error as StorageError where error.kind == .notFound {
        return Responses.message("Volume not found.", status: .notFound)
      }
    },
    APIRoute(.storageVolumeModify) { call in
      let (pool, name) = (call.path("pool"), call.path("volume"))
      let p = call.parameters
      guard p.string("new_size") != nil || p.string("new_name") != nil else {
        throw APIError.badRequest("give new_size, new_name or both")
      }
      var done: [String] = []
      if let size = p.string("new_size") {
        try await call.cluster.storage.resizeVolume(name, pool: pool, size: size, force: p.flag("force"))
        done.append("resized volume \(pool)/\(name) to \(size)")
      }
      if let newName = p.string("new_name") {
        try await call.cluster.storage.renameVolume(name, pool: pool, to: newName)
        done.append("renamed volume \(pool)/\(name) to \(newName)")
      }
      let text = done.joined(separator: "; ")
      return Responses.message(text.prefix(1).uppercased() + text.dropFirst() + ".")
    },
    APIRoute(.storageVolumeRemove) { call in
      try await call.cluster.storage.removeVolume(call.path("volume"), pool: call.path("pool"))
      return Responses.message("Removed volume \(call.path("pool"))/\(call.path("volume")).")
    },
    APIRoute(.storageVolumeClone) { call in
      let newName = call.parameters.string("new_volume") ?? ""
      try await call.cluster.storage.cloneVolume(
        call.path("volume"), pool: call.path("pool"), to: newName, force: call.parameters.flag("force"))
      return Responses.message("Copied volume \(call.path("pool"))/\(call.path("volume")) to \(newName).")
    },
    APIRoute(.storageVolumeUpload) { call in
      let (pool, name) = (call.path("pool"), call.path("volume"))
      let format = ImageFormat(rawValue: call.parameters.string("image_format") ?? "") ?? .raw
      let bytes = UploadBody.bytes(of: call.body, contentType: call.headers[.contentType] ?? "")
      try await call.cluster.storage.uploadVolume(
        name, pool: pool, format: format, size: call.parameters.int("file_size").map { UInt64($0) },
        from: .stream(bytes))
      return Responses.message("Wrote the \(format.rawValue) image into volume \(pool)/\(name).")
    },
    APIRoute(.storageVolumeScan) { call in
      try await call.cluster.storage.scanVolume(call.path("volume"), pool: call.path("pool"))
      return Responses.message("Scanned volume \(call.path("pool"))/\(call.path("volume")).")
    },
  ]

  static func addVolume(_ call: APICall, _ name: String, pool: String) async throws -> Response {
    let size = call.parameters.string("size") ?? ""
    try await call.cluster.storage.addVolume(name, pool: pool, size: size, force: call.parameters.flag("force"))
    return Responses.message("Added volume \(pool)/\(name) of \(size).")
  }

  static let snapshots: [APIRoute] = [
    APIRoute(.storageSnapshotList) { call in
      let p = call.parameters
      return try listing(
        try await call.cluster.storage.snapshots(
          limit: p.string("limit"), pool: p.string("pool"), volume: p.string("volume")), missing: "Snapshot not found.")
    },
    APIRoute(.storageSnapshotAdd) { call in
      let p = call.parameters
      return try await addSnapshot(
        call, p.string("snapshot") ?? "", volume: p.string("volume") ?? "", pool: p.string("pool") ?? "")
    },
    APIRoute(.storageSnapshotAddNamed) { call in
      try await addSnapshot(call, call.path("snapshot"), volume: call.path("volume"), pool: call.path("pool"))
    },
    APIRoute(.storageSnapshotInfo) { call in
      do {
        return try Responses.json([
          try await call.cluster.storage.snapshot(
            call.path("snapshot"), volume: call.path("volume"), pool: call.path("pool"))
        ])
      } catch let error as StorageError where error.kind == .notFound {
        return Responses.message("Snapshot not found.", status: .notFound)
      }
    },
    APIRoute(.storageSnapshotRename) { call in
      let newName = call.parameters.string("new_name") ?? ""
      try await call.cluster.storage.renameSnapshot(
        call.path("snapshot"), volume: call.path("volume"), pool: call.path("pool"), to: newName)
      return Responses.message("Renamed snapshot \(snapshotPath(call)) to \(newName).")
    },
    APIRoute(.storageSnapshotRemove) { call in
      try await call.cluster.storage.removeSnapshot(
        call.path("snapshot"), volume: call.path("volume"), pool: call.path("pool"))
      return Responses.message("Removed snapshot \(snapshotPath(call)).")
    },
    APIRoute(.storageSnapshotRollback) { call in
      try await call.cluster.storage.rollbackSnapshot(
        call.path("snapshot"), volume: call.path("volume"), pool: call.path("pool"))
      return Responses.message(
        "Rolled volume \(call.path("pool"))/\(call.path("volume")) back to \(call.path("snapshot")).")
    },
  ]

  static func snapshotPath(_ call: APICall) -> String {
    "\(call.path("pool"))/\(call.path("volume"))@\(call.path("snapshot"))"
  }

  static func addSnapshot(_ call: APICall, _ name: String, volume: String, pool: String) async throws -> Response {
    try await call.cluster.storage.addSnapshot(name, volume: volume, pool: pool)
    return Responses.message("Took snapshot \(pool)/\(volume)@\(name).")
  }
}
