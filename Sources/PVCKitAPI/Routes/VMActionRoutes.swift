import HTTPTypes
import Hummingbird
import PVCKit

/// `/vm/{vm}/...`: metadata, tags, state, node (migrations) and disk locks.
enum VMActionRoutes {
  static let all: [APIRoute] = [
    APIRoute(.vmMetadata) { call in
      try await VMRoutes.withVM(call) { vm in
        try Responses.json(
          VMMetadataBody(
            name: vm.name, nodeLimit: vm.nodeLimit, nodeSelector: vm.nodeSelector, nodeAutostart: vm.nodeAutostart,
            migrationMethod: vm.migrationMethod, migrationMaxDowntime: vm.migrationMaxDowntime))
      }
    },
    APIRoute(.vmSetMetadata) { call in
      let p = call.parameters
      let vm = call.path("vm")
      try await call.cluster.vms.setMetadata(
        vm,
        VMMetadataChange(
          nodeLimit: p.string("limit").map { VMRoutes.nodeList($0) },
          nodeSelector: p.string("selector").flatMap(NodeSelector.init(rawValue:)), autostart: p.bool("autostart"),
          profile: p.string("profile"),
          migrationMethod: p.string("migration_method").flatMap(MigrationMethod.init(rawValue:)),
          migrationMaxDowntime: p.int("migration_max_downtime")))
      return Responses.message("Modified PVC metadata of VM \"\(vm)\".")
    },
    APIRoute(.vmTags) {
      call in
      try await VMRoutes.withVM(call) { vm in try Responses.json(VMTagsBody(name: vm.name, tags: vm.tags)) }
    },
    APIRoute(.vmChangeTag) { call in
      let vm = call.path("vm")
      let tag = call.parameters.string("tag") ?? ""
      if call.parameters.string("action") == "add" {
        try await call.cluster.vms.addTag(vm, VMTag(name: tag, protected: call.parameters.flag("protected")))
        return Responses.message("Added tag \"\(tag)\" to VM \"\(vm)\".")
      }
      try await call.cluster.vms.removeTag(vm, tag)
      return Responses.message("Removed tag \"\(tag)\" from VM \"\(vm)\".")
    },
    APIRoute(.vmState) { call in
      try await VMRoutes.withVM(call) { try Responses.json(["name": $0.name, "state": $0.state.rawValue]) }
    },
    APIRoute(.vmSetState) { call in
      let vm = call.path("vm")
      let request = VMStateRequest(rawValue: call.parameters.string("state") ?? "")!
      let force = call.parameters.flag("force")
      guard call.parameters.flag("wait") else {
        try await call.cluster.vms.setState(vm, request, force: force, wait: false)
        return Responses.message(request.message(vm: vm))
      }
      // Waiting is a task on the VM's node, which a client may follow instead of holding this request.
      return try await TaskRoutes.waited(call, VMStateTask.self, .init(vm: vm, state: request, force: force))
    },
    APIRoute(.vmNode) { call in
      try await VMRoutes.withVM(call) {
        try Responses.json(["name": $0.name, "node": $0.node, "last_node": $0.lastNode])
      }
    },
    APIRoute(.vmSetNode) { call in
      try await migrate(call)
    },
    APIRoute(.vmFlushLocks) { call in
      try TaskRoutes.accepted(try await call.cluster.vms.flushLocks(call.path("vm")))
    },
    APIRoute(.vmSnapshotExport) { call in
      let p = call.parameters
      return try TaskRoutes.accepted(
        try await call.cluster.vms.exportSnapshot(
          call.path("vm"), name: p.string("snapshot_name") ?? "", to: p.string("export_path") ?? "",
          incrementalParent: p.string("incremental_parent")))
    },
    APIRoute(.vmSnapshotImport) { call in
      let p = call.parameters
      return try TaskRoutes.accepted(
        try await call.cluster.vms.importSnapshot(
          call.path("vm"), name: p.string("snapshot_name") ?? "", from: p.string("import_path") ?? "",
          retainSnapshot: p.bool("retain_snapshot") ?? true))
    },
    APIRoute(.vmDeviceAttach) { call in
      try TaskRoutes.accepted(
        try await call.cluster.vms.attachDevice(call.path("vm"), xml: call.parameters.string("xml") ?? ""))
    },
    APIRoute(.vmDeviceDetach) { call in
      try TaskRoutes.accepted(
        try await call.cluster.vms.detachDevice(call.path("vm"), xml: call.parameters.string("xml") ?? ""))
    },
    APIRoute(.vmSnapshotCreate) { call in
      try TaskRoutes.accepted(
        try await call.cluster.vms.createSnapshot(call.path("vm"), name: call.parameters.string("snapshot_name")))
    },
    APIRoute(.vmSnapshotRemove) { call in
      try TaskRoutes.accepted(
        try await call.cluster.vms.removeSnapshot(call.path("vm"), name: call.parameters.string("snapshot_name") ?? ""))
    },
    APIRoute(.vmSnapshotRollback) { call in
      try TaskRoutes.accepted(
        try await call.cluster.vms.rollbackSnapshot(
          call.path("vm"), name: call.parameters.string("snapshot_name") ?? ""))
    },
  ]

  /// `POST /vm/{vm}/node`: directly, or as a task on the VM's node when waiting.
  static func migrate(_ call: APICall) async throws -> Response {
    let p = call.parameters
    let vm = call.path("vm")
    let action = VMMoveAction(rawValue: p.string("action") ?? "") ?? .move
    let target = p.string("node")
    let forceLive = p.flag("force_live")
    if p.flag("wait") {
      let arguments = VMMoveArguments(vm: vm, target: target, force: p.flag("force"), forceLive: forceLive)
      switch action {
      case .migrate: return try await TaskRoutes.waited(call, VMMigrateTask.self, arguments)
      case .unmigrate: return try await TaskRoutes.waited(call, VMUnmigrateTask.self, arguments)
      case .move: return try await TaskRoutes.waited(call, VMMoveTask.self, arguments)
      }
    }
    let vms = call.cluster.vms
    let outcome =
      switch action {
      case .migrate: try await vms.migrate(vm, to: target, force: p.flag("force"), forceLive: forceLive, wait: false)
      case .unmigrate: try await vms.unmigrate(vm, forceLive: forceLive, wait: false)
      case .move: try await vms.move(vm, to: target, forceLive: forceLive, wait: false)
      }
    return Responses.message(outcome.message(vm: vm, action: action))
  }
}

/// `GET /vm/{vm}/meta`'s body.
struct VMMetadataBody: Encodable {
  var name: String
  var nodeLimit: [String]?
  var nodeSelector: String?
  var nodeAutostart: Bool
  var migrationMethod: String?
  var migrationMaxDowntime: Int

  enum CodingKeys: String, CodingKey {
    case name
    case nodeLimit = "node_limit"
    case nodeSelector = "node_selector"
    case nodeAutostart = "node_autostart"
    case migrationMethod = "migration_method"
    case migrationMaxDowntime = "migration_max_downtime"
  }

  func encode(to encoder: any Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(name, forKey: .name)
    try c.encode(nodeLimit, forKey: .nodeLimit)
    try c.encode(nodeSelector, forKey: .nodeSelector)
    try c.encode(nodeAutostart, forKey: .nodeAutostart)
    try c.encode(migrationMethod, forKey: .migrationMethod)
    try c.encode(migrationMaxDowntime, forKey: .migrationMaxDowntime)
  }
}

/// `GET /vm/{vm}/tags`'s body.
struct VMTagsBody: Encodable {
  var name: String
  var tags: [VMTag]
}
