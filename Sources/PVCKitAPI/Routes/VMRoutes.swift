import HTTPTypes
import Hummingbird
import PVCKit
import PVCKitServer

/// `/vm` and `/vm/{vm}`: listing, defining, modifying and removing VMs.
enum VMRoutes {
  static let all: [APIRoute] =
    [
      APIRoute(.vmList) { call in
        let p = call.parameters
        let filter = VMFilter(
          limit: p.string("limit"), node: p.string("node"), state: p.string("state").map(VMState.init(rawValue:)),
          tag: p.string("tag"), negate: p.flag("negate"))
        guard let json = try await call.server.listing.json(filter) else {
          return Responses.message("VM not found.", status: .notFound)
        }
        return Responses.raw(json)
      },
      APIRoute(.vmDefine, handler: define),
      APIRoute(.vmDefineNamed, handler: define),
      APIRoute(.vmInfo) { call in
        try await withVM(call) { try Responses.json([$0]) }
      },
      APIRoute(.vmModify) { call in
        let vm = call.path("vm")
        try await call.cluster.vms.modify(
          vm, xml: call.parameters.string("xml") ?? "", restart: call.parameters.flag("restart"))
        return Responses.message("Modified configuration of VM \"\(vm)\".")
      },
      APIRoute(.vmRemove) { call in
        let vm = call.path("vm")
        if call.parameters.flag("delete_disks") {
          try await call.cluster.vms.remove(vm, deleteDisks: true)
          return Responses.message("Removed VM \"\(vm)\" and its disks from the cluster.")
        }
        try await call.cluster.vms.undefine(vm)
        return Responses.message("Undefined VM \"\(vm)\" from the cluster.")
      },
      APIRoute(.vmRename) { call in
        let vm = call.path("vm")
        let name = call.parameters.string("new_name") ?? ""
        try await call.cluster.vms.rename(vm, to: name)
        return Responses.message("Renamed VM \"\(vm)\" to \"\(name)\".")
      },
      APIRoute(.vmConsoleLog) { call in
        let vm = call.path("vm")
        let text = try await call.cluster.vms.consoleLog(vm, lines: call.parameters.int("lines") ?? 10)
        return try Responses.json(["name": vm, "data": text])
      },
      APIRoute(.vmConsoleAttach, check: checkConsole) { cluster, path, inbound, outbound in
        let vm = path["vm"] ?? ""
        await ConsoleRelay.attach({ try await cluster.vms.openConsole(vm) }, inbound: inbound, outbound: outbound)
      },
      APIRoute(.vmGraphicsAttach, check: checkConsole) { cluster, path, inbound, outbound in
        let vm = path["vm"] ?? ""
        await ConsoleRelay.attach({ try await cluster.vms.openGraphics(vm) }, inbound: inbound, outbound: outbound)
      },
    ] + VMActionRoutes.all

  /// A plain request for a console: 426 when it can be opened (a WebSocket upgrade follows), else why not.
  @Sendable static func checkConsole(_ call: APICall) async throws -> Response {
    let info = try await call.cluster.vms.info(call.path("vm"))
    guard info.state == .start else {
      throw ConsoleError.unavailable("VM \"\(info.name)\" is \(info.state), not running: its consoles are closed")
    }
    return Responses.message(
      "The consoles of VM \"\(info.name)\" on \(info.node) are attached with a WebSocket.", status: .upgradeRequired)
  }

  /// `POST /vm` and `POST /vm/{vm}`.
  @Sendable static func define(_ call: APICall) async throws -> Response {
    let p = call.parameters
    let tags =
      p.strings("user_tags").map { VMTag(name: $0) }
      + p.strings("protected_tags").map { VMTag(name: $0, protected: true) }
    let (uuid, name) = try await call.cluster.vms.define(
      VMDefinition(
        xml: p.string("xml") ?? "", node: p.string("node"), nodeLimit: nodeList(p.string("limit")),
        nodeSelector: p.string("selector").flatMap(NodeSelector.init(rawValue:)) ?? .none,
        autostart: p.flag("autostart"),
        migrationMethod: p.string("migration_method").flatMap(MigrationMethod.init(rawValue:)) ?? .none,
        migrationMaxDowntime: p.int("migration_max_downtime") ?? 300, tags: tags))
    return Responses.message("Added new VM with Name \"\(name)\" and UUID \"\(uuid)\" to database.")
  }

  /// A comma-separated node list.
  static func nodeList(_ text: String?) -> [String] {
    (text ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
  }

  /// Runs `body` with the VM, or answers upstream's 404.
  static func withVM(_ call: APICall, _ body: (VMInfo) throws -> Response) async throws -> Response {
    do {
      return try body(try await call.cluster.vms.info(call.path("vm")))
    } catch VMError.notFound {
      return Responses.message("VM not found.", status: .notFound)
    }
  }
}
