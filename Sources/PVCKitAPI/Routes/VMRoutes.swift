import HTTPTypes
import Hummingbird
import PVCKit

/// `/vm` and `/vm/{vm}`: listing, defining, modifying and removing VMs.
enum VMRoutes {
  static let selectors = NodeSelector.allCases.map(\.rawValue)
  static let methods = MigrationMethod.allCases.map(\.rawValue)

  static let metadataParameters: [ParameterSpec] = [
    .string("limit", "Comma-separated nodes the VM may run on"),
    .choice("selector", selectors, "How migration targets are chosen"),
    .boolean("autostart", "Start the VM on its node at the next unflush"),
    .choice("migration_method", methods, "How the VM migrates"),
    .integer("migration_max_downtime", 1...3_600_000, "Longest pause at the end of a live migration, in ms"),
  ]

  static let defineParameters: [ParameterSpec] =
    [
      .text("xml", required: true, "The libvirt domain XML"),
      .string("node", "The node to put it on (default: chosen by the selector)"),
    ] + metadataParameters + [
      .string("user_tags", repeated: true, "A user tag (repeatable)"),
      .string("protected_tags", repeated: true, "A protected tag (repeatable)"),
    ]

  static let all: [APIRoute] =
    [
      APIRoute(
        method: .get, path: "/vm", summary: "The VMs (404 when none match)",
        parameters: [
          .string("limit", "A name pattern (fuzzy unless anchored with ^ or $) or a UUID"),
          .string("node", "Only VMs assigned to this node"), .string("state", "Only VMs in this state"),
          .string("tag", "Only VMs with this tag"), .boolean("negate", "Invert the node, state and tag conditions"),
        ],
        responses: [200: "array:vm", 404: "Message"]
      ) { call in
        let p = call.parameters
        let filter = VMFilter(
          limit: p.string("limit"), node: p.string("node"), state: p.string("state").map(VMState.init(rawValue:)),
          tag: p.string("tag"), negate: p.flag("negate"))
        guard let json = try await call.server.listing.json(filter) else {
          return Responses.message("VM not found.", status: .notFound)
        }
        return Responses.raw(json)
      },
      APIRoute(
        method: .post, path: "/vm", summary: "Define a VM", parameters: defineParameters,
        responses: [200: "Message", 400: "Message"], handler: define),
      APIRoute(
        method: .post, path: "/vm/{vm}", summary: "Define a VM (the name comes from the XML)",
        parameters: defineParameters, responses: [200: "Message", 400: "Message"], handler: define),
      APIRoute(
        method: .get, path: "/vm/{vm}", summary: "One VM (as a one-element list)",
        responses: [200: "array:vm", 404: "Message"]
      ) { call in
        try await withVM(call) { try Responses.json([$0]) }
      },
      APIRoute(
        method: .put, path: "/vm/{vm}", summary: "Replace a VM's libvirt XML",
        parameters: [
          .text("xml", required: true, "The new libvirt domain XML (same UUID)"),
          .boolean("restart", "Restart the VM to apply it"),
        ],
        responses: [200: "Message", 400: "Message", 404: "Message"]
      ) { call in
        let vm = call.path("vm")
        try await call.cluster.vms.modify(
          vm, xml: call.parameters.string("xml") ?? "", restart: call.parameters.flag("restart"))
        return Responses.message("Modified configuration of VM \"\(vm)\".")
      },
      APIRoute(
        method: .delete, path: "/vm/{vm}", summary: "Remove a VM (and its disks if asked)",
        parameters: [.boolean("delete_disks", "Also delete its disks")],
        responses: [200: "Message", 400: "Message", 404: "Message"]
      ) { call in
        let vm = call.path("vm")
        if call.parameters.flag("delete_disks") {
          try await call.cluster.vms.remove(vm, deleteDisks: true)
          return Responses.message("Removed VM \"\(vm)\" and its disks from the cluster.")
        }
        try await call.cluster.vms.undefine(vm)
        return Responses.message("Undefined VM \"\(vm)\" from the cluster.")
      },
      APIRoute(
        method: .post, path: "/vm/{vm}/rename", summary: "Rename a stopped VM",
        parameters: [.string("new_name", required: true, "The new name")], responses: [200: "Message", 400: "Message"]
      ) { call in
        let vm = call.path("vm")
        let name = call.parameters.string("new_name") ?? ""
        try await call.cluster.vms.rename(vm, to: name)
        return Responses.message("Renamed VM \"\(vm)\" to \"\(name)\".")
      },
      APIRoute(
        method: .get, path: "/vm/{vm}/console", summary: "A VM's recent serial console output",
        parameters: [.integer("lines", 1...100_000, "How many lines (default 10)")],
        responses: [200: "VMLog", 404: "Message"]
      ) { call in
        let vm = call.path("vm")
        let text = try await call.cluster.vms.consoleLog(vm, lines: call.parameters.int("lines") ?? 10)
        return try Responses.json(["name": vm, "data": text])
      },
    ] + VMActionRoutes.all

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
