import Foundation
import Hummingbird
import PVCKit

/// `/provisioner`: templates, userdata documents, scripts, OVA images and profiles, answered as upstream
/// (lists, one-element lists, 404 for none, its messages).
enum ProvisionerRoutes {
  static func listing(_ items: [some Encodable], none: String) throws -> Response {
    try StorageRoutes.listing(items, missing: none)
  }

  static let all: [APIRoute] = templates + networks + storage + documents + profiles

  static let templates: [APIRoute] = [
    APIRoute(.provisionerTemplateList) { call in
      try Responses.json(try await call.cluster.provisioner.templates(limit: call.parameters.string("limit")))
    },
    APIRoute(.provisionerSystemList) { call in
      try listing(
        try await call.cluster.provisioner.systemTemplates(limit: call.parameters.string("limit")),
        none: "No system templates found.")
    },
    APIRoute(.provisionerSystemAdd) { call in try await addSystem(call, call.parameters.string("name") ?? "") },
    APIRoute(.provisionerSystemAddNamed) { call in try await addSystem(call, call.path("template")) },
    APIRoute(.provisionerSystemInfo) { call in
      try listing(
        [try await call.cluster.provisioner.systemTemplate(call.path("template"))], none: "No system templates found.")
    },
    APIRoute(.provisionerSystemModify) { call in
      let name = call.path("template")
      try await call.cluster.provisioner.modifySystemTemplate(name, systemRequest(call))
      return Responses.message("Modified system template \"\(name)\".")
    },
    APIRoute(.provisionerSystemRemove) { call in
      let name = call.path("template")
      try await call.cluster.provisioner.removeSystemTemplate(name)
      return Responses.message("Removed system template \"\(name)\".")
    },
  ]

  static let networks: [APIRoute] = [
    APIRoute(.provisionerNetworkList) { call in
      try listing(
        try await call.cluster.provisioner.networkTemplates(limit: call.parameters.string("limit")),
        none: "No network templates found.")
    },
    APIRoute(.provisionerNetworkAdd) { call in try await addNetwork(call, call.parameters.string("name") ?? "") },
    APIRoute(.provisionerNetworkAddNamed) { call in try await addNetwork(call, call.path("template")) },
    APIRoute(.provisionerNetworkInfo) { call in
      try listing(
        [try await call.cluster.provisioner.networkTemplate(call.path("template"))], none: "No network templates found."
      )
    },
    APIRoute(.provisionerNetworkRemove) { call in
      let name = call.path("template")
      try await call.cluster.provisioner.removeNetworkTemplate(name)
      return Responses.message("Removed network template \"\(name)\".")
    },
    APIRoute(.provisionerNetworkNetList) { call in
      try Responses.json(try await call.cluster.provisioner.networkTemplate(call.path("template")).networks)
    },
    APIRoute(.provisionerNetworkNetAdd) { call in
      try await addNetworkNet(call, call.path("template"), call.parameters.string("vni") ?? "")
    },
    APIRoute(.provisionerNetworkNetAddNamed) { call in
      try await addNetworkNet(call, call.path("template"), call.path("vni"))
    },
    APIRoute(.provisionerNetworkNetInfo) { call in
      let template = try await call.cluster.provisioner.networkTemplate(call.path("template"))
      guard let network = template.networks.first(where: { $0.vni == call.path("vni") }) else {
        return Responses.message("Network not found.", status: .notFound)
      }
      return try Responses.json(network)
    },
    APIRoute(.provisionerNetworkNetRemove) { call in
      let (template, vni) = (call.path("template"), call.path("vni"))
      try await call.cluster.provisioner.removeTemplateNetwork(template, vni: vni)
      return Responses.message("Removed network \"\(vni)\" from network template \"\(template)\".")
    },
  ]

  static let storage: [APIRoute] = [
    APIRoute(.provisionerStorageList) { call in
      try listing(
        try await call.cluster.provisioner.storageTemplates(limit: call.parameters.string("limit")),
        none: "No storage templates found.")
    },
    APIRoute(.provisionerStorageAdd) { call in try await addStorage(call, call.parameters.string("name") ?? "") },
    APIRoute(.provisionerStorageAddNamed) { call in try await addStorage(call, call.path("template")) },
    APIRoute(.provisionerStorageInfo) { call in
      try listing(
        [try await call.cluster.provisioner.storageTemplate(call.path("template"))], none: "No storage templates found."
      )
    },
    APIRoute(.provisionerStorageRemove) { call in
      let name = call.path("template")
      try await call.cluster.provisioner.removeStorageTemplate(name)
      return Responses.message("Removed storage template \"\(name)\".")
    },
    APIRoute(.provisionerStorageDiskList) { call in
      try Responses.json(try await call.cluster.provisioner.storageTemplate(call.path("template")).disks)
    },
    APIRoute(.provisionerStorageDiskAdd) { call in
      try await addDisk(call, call.path("template"), call.parameters.string("disk_id") ?? "")
    },
    APIRoute(.provisionerStorageDiskAddNamed) { call in
      try await addDisk(call, call.path("template"), call.path("disk_id"))
    },
    APIRoute(.provisionerStorageDiskInfo) { call in
      let template = try await call.cluster.provisioner.storageTemplate(call.path("template"))
      guard let disk = template.disks.first(where: { $0.diskID == call.path("disk_id") }) else {
        return Responses.message("Disk not found.", status: .notFound)
      }
      return try Responses.json(disk)
    },
    APIRoute(.provisionerStorageDiskRemove) { call in
      let (template, disk) = (call.path("template"), call.path("disk_id"))
      try await call.cluster.provisioner.removeTemplateDisk(template, diskID: disk)
      return Responses.message("Removed disk \"\(disk)\" from storage template \"\(template)\".")
    },
  ]

  // MARK: Handlers shared by two routes

  static func systemRequest(_ call: APICall) -> SystemTemplateRequest {
    let p = call.parameters
    return SystemTemplateRequest(
      vcpus: p.int("vcpus"), vramMB: p.int("vram"), serial: p.bool("serial"), vnc: p.bool("vnc"),
      vncBind: p.raw("vnc_bind"),
      nodeLimit: p.raw("node_limit").map { $0.split(separator: ",").map(String.init) },
      nodeSelector: p.string("node_selector"), nodeAutostart: p.bool("node_autostart"),
      migrationMethod: p.string("migration_method"), migrationMaxDowntime: p.int("migration_max_downtime"))
  }

  static func addSystem(_ call: APICall, _ name: String) async throws -> Response {
    try await call.cluster.provisioner.addSystemTemplate(name, systemRequest(call))
    return Responses.message("Added new system template \"\(name)\".")
  }

  static func addNetwork(_ call: APICall, _ name: String) async throws -> Response {
    try await call.cluster.provisioner.addNetworkTemplate(name, macTemplate: call.parameters.string("mac_template"))
    return Responses.message("Added new network template \"\(name)\".")
  }

  static func addNetworkNet(_ call: APICall, _ template: String, _ vni: String) async throws -> Response {
    try await call.cluster.provisioner.addTemplateNetwork(
      template, vni: vni, permitDuplicate: call.parameters.flag("permit_duplicate"))
    return Responses.message("Added new network \"\(vni)\" to network template \"\(template)\".")
  }

  static func addStorage(_ call: APICall, _ name: String) async throws -> Response {
    try await call.cluster.provisioner.addStorageTemplate(name)
    return Responses.message("Added new storage template \"\(name)\".")
  }

  static func addDisk(_ call: APICall, _ template: String, _ disk: String) async throws -> Response {
    let p = call.parameters
    try await call.cluster.provisioner.addTemplateDisk(
      template, diskID: disk,
      TemplateDiskRequest(
        pool: p.string("pool") ?? "", sourceVolume: p.string("source_volume"), sizeGB: p.int("disk_size"),
        filesystem: p.string("filesystem"), filesystemArguments: p.strings("filesystem_arg"),
        mountpoint: p.string("mountpoint")))
    return Responses.message("Added new disk \"\(disk)\" to storage template \"\(template)\".")
  }
}
