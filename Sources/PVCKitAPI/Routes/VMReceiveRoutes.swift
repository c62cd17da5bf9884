import HTTPTypes
import Hummingbird
import PVCKit
import PVCKitServer

/// Snapshot sends and mirrors to another cluster, and `/vm/{vm}/snapshot/receive/...`, the receiving side of sends
/// from another cluster (upstream's API-internal routes: a JSON body, a raw image, multipart extents).
enum VMReceiveRoutes {
  /// The largest VM detail accepted as a configuration.
  static let configLimit = 16 << 20

  static let all: [APIRoute] = [
    APIRoute(.vmSnapshotSend) { call in
      let p = call.parameters
      return try TaskRoutes.accepted(
        try await call.cluster.vms.sendSnapshot(
          call.path("vm"), name: p.string("snapshot_name") ?? "", to: destination(p),
          incrementalParent: p.string("incremental_parent")))
    },
    APIRoute(.vmMirrorCreate) { call in
      try TaskRoutes.accepted(
        try await call.cluster.vms.createMirror(call.path("vm"), to: destination(call.parameters)))
    },
    APIRoute(.vmMirrorPromote) { call in
      try TaskRoutes.accepted(
        try await call.cluster.vms.promoteMirror(
          call.path("vm"), to: destination(call.parameters), removeOnSource: call.parameters.flag("remove_on_source")))
    },
    APIRoute(.vmBackupCreate) { call in
      let p = call.parameters
      return Responses.message(
        try await call.cluster.vms.backup(
          call.path("vm"), to: p.string("backup_path") ?? "", incrementalParent: p.string("incremental_parent"),
          retainSnapshot: p.flag("retain_snapshot")))
    },
    APIRoute(.vmBackupRemove) { call in
      let p = call.parameters
      return Responses.message(
        try await call.cluster.vms.removeBackup(
          call.path("vm"), at: p.string("backup_path") ?? "", datestring: p.string("backup_datestring") ?? ""))
    },
    APIRoute(.vmRestore) { call in
      let p = call.parameters
      return Responses.message(
        try await call.cluster.vms.restoreBackup(
          call.path("vm"), from: p.string("backup_path") ?? "", datestring: p.string("backup_datestring") ?? "",
          retainSnapshot: p.bool("retain_snapshot") ?? true))
    },
    APIRoute(.vmAutobackup) { call in
      try TaskRoutes.accepted(try await call.cluster.vms.autobackup(forceFull: call.parameters.flag("force_full")))
    },
    APIRoute(.vmAutomirror) { call in
      try TaskRoutes.accepted(try await call.cluster.vms.automirror())
    },
    APIRoute(.vmSnapshotReceiveConfig) { call in
      let buffer: ByteBuffer
      do {
        buffer = try await call.body.collect(upTo: configLimit)
      } catch {
        throw APIError(.contentTooLarge, "ERROR: the configuration is larger than \(configLimit) bytes")
      }
      let detail: JSONValue
      do {
        detail = try JSONValue(parsing: String(decoding: buffer.readableBytesView, as: UTF8.self))
      } catch {
        throw APIError.badRequest("the body is not the VM's detail as JSON: \(error)")
      }
      let snapshot = call.parameters.string("snapshot") ?? ""
      try await call.cluster.vms.receiveSnapshotConfig(
        call.path("vm"), snapshot: snapshot, sourceSnapshot: call.parameters.string("source_snapshot"),
        detail: detail)
      return Responses.message("Received the configuration of snapshot \(snapshot).")
    },
    APIRoute(.vmSnapshotReceiveImage) { call in
      let p = call.parameters
      let (pool, volume, snapshot) = (p.string("pool") ?? "", p.string("volume") ?? "", p.string("snapshot") ?? "")
      try await call.cluster.vms.receiveSnapshotImage(
        call.path("vm"), pool: pool, volume: volume, snapshot: snapshot, size: UInt64(max(0, p.int("size") ?? 0)),
        from: .stream(UploadBody.bytes(of: call.body, contentType: "application/octet-stream")))
      return Responses.message("Received the image of \(pool)/\(volume) at \(snapshot).")
    },
    APIRoute(.vmSnapshotReceiveChanges) { call in
      let p = call.parameters
      let (pool, volume, snapshot) = (p.string("pool") ?? "", p.string("volume") ?? "", p.string("snapshot") ?? "")
      let type = call.headers[.contentType] ?? ""
      guard MultipartFileParser.boundary(fromContentType: type) != nil else {
        throw APIError.badRequest("the changes must come as multipart/form-data, one extent a part")
      }
      try await call.cluster.vms.receiveSnapshotChanges(
        call.path("vm"), pool: pool, volume: volume, snapshot: snapshot,
        sourceSnapshot: p.string("source_snapshot") ?? "",
        from: UploadBody.bytes(of: call.body, contentType: type, everyFile: true))
      return Responses.message("Received changes of \(pool)/\(volume) for \(snapshot).")
    },
    APIRoute(.vmSnapshotReceiveFinish) { call in
      let p = call.parameters
      let (pool, volume, snapshot) = (p.string("pool") ?? "", p.string("volume") ?? "", p.string("snapshot") ?? "")
      try await call.cluster.vms.receiveSnapshotFinish(call.path("vm"), pool: pool, volume: volume, snapshot: snapshot)
      return Responses.message("Made snapshot \(snapshot) of \(pool)/\(volume).")
    },
  ]

  /// The destination named by upstream's `destination_*` parameters.
  static func destination(_ p: ValidatedParameters) -> SnapshotDestination {
    SnapshotDestination(
      uri: p.string("destination_api_uri") ?? "", key: p.string("destination_api_key") ?? "",
      verifySSL: p.bool("destination_api_verify_ssl") ?? true, pool: p.string("destination_storage_pool"))
  }
}
