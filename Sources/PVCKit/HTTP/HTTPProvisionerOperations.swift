import Foundation

/// Provisioner operations through a PVC HTTP API (upstream's `/provisioner` routes).
struct HTTPProvisionerOperations: ProvisionerOperations {
  let client: APIClient

  private func name(_ text: String, _ kind: String) throws -> String { try ProvisionerRules.name(text, kind) }

  func templates(limit: String?) async throws -> ProvisionerTemplates {
    try await client.expect(.provisionerTemplateList, [], limit.map { [("limit", $0)] } ?? []).decode(
      ProvisionerTemplates.self)
  }

  func systemTemplates(limit: String?) async throws -> [SystemTemplate] {
    try await client.list(.provisionerSystemList, [], [("limit", limit)])
  }

  func systemTemplate(_ name: String) async throws -> SystemTemplate {
    try await client.one(
      .provisionerSystemInfo, [try self.name(name, "system template")],
      missing: ProvisionerError.notFound(kind: "system template", name: name))
  }

  func addSystemTemplate(_ name: String, _ request: SystemTemplateRequest) async throws {
    _ = try await client.expect(.provisionerSystemAdd, [], [("name", name)] + Self.parameters(request))
  }

  func modifySystemTemplate(_ name: String, _ request: SystemTemplateRequest) async throws {
    _ = try await client.expect(
      .provisionerSystemModify, [try self.name(name, "system template")], Self.parameters(request))
  }

  func removeSystemTemplate(_ name: String) async throws {
    _ = try await client.expect(.provisionerSystemRemove, [try self.name(name, "system template")])
  }

  func networkTemplates(limit: String?) async throws -> [NetworkTemplate] {
    try await client.list(.provisionerNetworkList, [], [("limit", limit)])
  }

  func networkTemplate(_ name: String) async throws -> NetworkTemplate {
    try await client.one(
      .provisionerNetworkInfo, [try self.name(name, "network template")],
      missing: ProvisionerError.notFound(kind: "network template", name: name))
  }

  func addNetworkTemplate(_ name: String, macTemplate: String?) async throws {
    var parameters = [("name", name)]
    if let macTemplate { parameters.append(("mac_template", macTemplate)) }
    _ = try await client.expect(.provisionerNetworkAdd, [], parameters)
  }

  func removeNetworkTemplate(_ name: String) async throws {
    _ = try await client.expect(.provisionerNetworkRemove, [try self.name(name, "network template")])
  }

  func addTemplateNetwork(_ template: String, vni: String, permitDuplicate: Bool) async throws {
    _ = try await client.expect(
      .provisionerNetworkNetAddNamed,
      [try name(template, "network template"), try ProvisionerRules.templateNetwork(vni)],
      permitDuplicate ? [("permit_duplicate", "true")] : [])
  }

  func removeTemplateNetwork(_ template: String, vni: String) async throws {
    _ = try await client.expect(
      .provisionerNetworkNetRemove,
      [try name(template, "network template"), try ProvisionerRules.templateNetwork(vni)])
  }

  func storageTemplates(limit: String?) async throws -> [StorageTemplate] {
    try await client.list(.provisionerStorageList, [], [("limit", limit)])
  }

  func storageTemplate(_ name: String) async throws -> StorageTemplate {
    try await client.one(
      .provisionerStorageInfo, [try self.name(name, "storage template")],
      missing: ProvisionerError.notFound(kind: "storage template", name: name))
  }

  func addStorageTemplate(_ name: String) async throws {
    _ = try await client.expect(.provisionerStorageAdd, [], [("name", name)])
  }

  func removeStorageTemplate(_ name: String) async throws {
    _ = try await client.expect(.provisionerStorageRemove, [try self.name(name, "storage template")])
  }

  func addTemplateDisk(_ template: String, diskID: String, _ request: TemplateDiskRequest) async throws {
    var parameters = [("pool", request.pool)]
    if let source = request.sourceVolume { parameters.append(("source_volume", source)) }
    if let size = request.sizeGB { parameters.append(("disk_size", String(size))) }
    if let filesystem = request.filesystem { parameters.append(("filesystem", filesystem)) }
    parameters += request.filesystemArguments.map { ("filesystem_arg", $0) }
    if let mountpoint = request.mountpoint { parameters.append(("mountpoint", mountpoint)) }
    _ = try await client.expect(
      .provisionerStorageDiskAddNamed, [try name(template, "storage template"), try ProvisionerRules.diskID(diskID)],
      parameters)
  }

  func removeTemplateDisk(_ template: String, diskID: String) async throws {
    _ = try await client.expect(
      .provisionerStorageDiskRemove, [try name(template, "storage template"), try ProvisionerRules.diskID(diskID)])
  }

  func userdata(limit: String?) async throws -> [UserdataDocument] {
    try await client.list(.provisionerUserdataList, [], [("limit", limit)])
  }

  func userdata(_ name: String) async throws -> UserdataDocument {
    try await client.one(
      .provisionerUserdataInfo, [try self.name(name, "userdata document")],
      missing: ProvisionerError.notFound(kind: "userdata document", name: name))
  }

  func addUserdata(_ name: String, data: String) async throws {
    _ = try await client.expect(.provisionerUserdataAdd, [], [("name", name), ("data", data)])
  }

  func modifyUserdata(_ name: String, data: String) async throws {
    _ = try await client.expect(
      .provisionerUserdataModify, [try self.name(name, "userdata document")], [("data", data)])
  }

  func removeUserdata(_ name: String) async throws {
    _ = try await client.expect(.provisionerUserdataRemove, [try self.name(name, "userdata document")])
  }

  func scripts(limit: String?) async throws -> [ProvisionerScript] {
    try await client.list(.provisionerScriptList, [], [("limit", limit)])
  }

  func script(_ name: String) async throws -> ProvisionerScript {
    try await client.one(
      .provisionerScriptInfo, [try self.name(name, "script")],
      missing: ProvisionerError.notFound(kind: "script", name: name))
  }

  func addScript(_ name: String, data: String) async throws {
    _ = try await client.expect(.provisionerScriptAdd, [], [("name", name), ("data", data)])
  }

  func modifyScript(_ name: String, data: String) async throws {
    _ = try await client.expect(.provisionerScriptModify, [try self.name(name, "script")], [("data", data)])
  }

  func removeScript(_ name: String) async throws {
    _ = try await client.expect(.provisionerScriptRemove, [try self.name(name, "script")])
  }

  func ovas(limit: String?) async throws -> [OVAImage] {
    try await client.list(.provisionerOVAList, [], [("limit", limit)])
  }

  func ova(_ name: String) async throws -> OVAImage {
    try await client.one(
      .provisionerOVAInfo, [try self.name(name, "OVA image")],
      missing: ProvisionerError.notFound(kind: "OVA image", name: name))
  }

  func uploadOVA(_ name: String, pool: String, size: UInt64, from source: ImageSource) async throws {
    let path = [try self.name(name, "OVA image")]
    let parameters = [("pool", pool), ("ova_size", String(size))]
    switch source {
    case .file(let file):
      _ = try await client.upload(.provisionerOVAUploadNamed, path, parameters, file: URL(fileURLWithPath: file))
    case .stream(let bytes):
      let (file, _) = try await ImageSource.spool(bytes)
      defer { try? FileManager.default.removeItem(at: file) }
      _ = try await client.upload(.provisionerOVAUploadNamed, path, parameters, file: file)
    }
  }

  func removeOVA(_ name: String) async throws {
    _ = try await client.expect(.provisionerOVARemove, [try self.name(name, "OVA image")])
  }

  func profiles(limit: String?) async throws -> [VMProfile] {
    try await client.list(.provisionerProfileList, [], [("limit", limit)])
  }

  func profile(_ name: String) async throws -> VMProfile {
    try await client.one(
      .provisionerProfileInfo, [try self.name(name, "profile")],
      missing: ProvisionerError.notFound(kind: "profile", name: name))
  }

  func addProfile(_ name: String, _ request: VMProfileRequest) async throws {
    var parameters = [("name", name)]
    if let type = request.type { parameters.append(("profile_type", type.rawValue)) }
    if let ova = request.ova { parameters.append(("ova", ova)) }
    _ = try await client.expect(.provisionerProfileAdd, [], parameters + Self.parameters(request))
  }

  func modifyProfile(_ name: String, _ request: VMProfileRequest) async throws {
    _ = try await client.expect(.provisionerProfileModify, [try self.name(name, "profile")], Self.parameters(request))
  }

  func removeProfile(_ name: String) async throws {
    _ = try await client.expect(.provisionerProfileRemove, [try self.name(name, "profile")])
  }

  func create(_ arguments: ProvisionerCreateTask.Arguments) async throws -> ClusterTask {
    let response = try await client.expect(
      .provisionerCreate, [],
      [
        ("name", arguments.name), ("profile", arguments.profile), ("define_vm", String(arguments.define)),
        ("start_vm", String(arguments.start)),
      ] + arguments.arguments.map { ("arg", $0) })
    return try await client.acceptedTask(response)
  }

  static func parameters(_ request: SystemTemplateRequest) -> [(String, String)] {
    var parameters: [(String, String?)] = [
      ("vcpus", request.vcpus.map(String.init)), ("vram", request.vramMB.map(String.init)),
      ("serial", request.serial.map { String($0) }), ("vnc", request.vnc.map { String($0) }),
      ("vnc_bind", request.vncBind), ("node_limit", request.nodeLimit?.joined(separator: ",")),
      ("node_selector", request.nodeSelector), ("node_autostart", request.nodeAutostart.map { String($0) }),
      ("migration_method", request.migrationMethod),
    ]
    parameters.append(("migration_max_downtime", request.migrationMaxDowntime.map(String.init)))
    return parameters.compactMap { name, value in value.map { (name, $0) } }
  }

  static func parameters(_ request: VMProfileRequest) -> [(String, String)] {
    let named: [(String, String?)] = [
      ("system_template", request.systemTemplate), ("network_template", request.networkTemplate),
      ("storage_template", request.storageTemplate), ("userdata", request.userdata), ("script", request.script),
    ]
    // No arguments at all (clear them) travel as one empty argument.
    let arguments = request.arguments.map { $0.isEmpty ? [""] : $0 } ?? []
    return named.compactMap { name, value in value.map { (name, $0) } } + arguments.map { ("arg", $0) }
  }
}
