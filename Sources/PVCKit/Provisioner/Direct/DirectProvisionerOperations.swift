/// Provisioner operations performed directly on the cluster's provisioner database (``ProvisionerLink``).
struct DirectProvisionerOperations: ProvisionerOperations {
  typealias Table = ProvisionerDatabase.Table
  let link: ProvisionerLink
  /// The cluster, for queueing creates (`nil`: a database-only use, as in tests).
  var zookeeper: ZooKeeper? = nil
  /// The cluster's storage, for OVA images (`nil`: none).
  var storage: DirectStorageOperations? = nil

  private func database() async throws -> ProvisionerDatabase { try await link.database() }

  /// The objects whose names match `limit`.
  private func matching<T>(_ items: [T], _ limit: String?, name: (T) -> String) throws -> [T] {
    let matcher = try VMFilter.Matcher.names(limit) { ProvisionerError.invalid($0) }
    return items.filter { matcher.matches(name($0)) }
  }

  /// The one object named `name`.
  private func one<T>(_ items: [T], _ name: String, _ table: Table, _ key: (T) -> String) throws -> T {
    guard let item = items.first(where: { key($0) == name }) else {
      throw ProvisionerError.notFound(kind: table.kind, name: name)
    }
    return item
  }

  func templates(limit: String?) async throws -> ProvisionerTemplates {
    ProvisionerTemplates(
      systemTemplates: try await systemTemplates(limit: limit),
      networkTemplates: try await networkTemplates(limit: limit),
      storageTemplates: try await storageTemplates(limit: limit))
  }

  // MARK: System templates

  func systemTemplates(limit: String?) async throws -> [SystemTemplate] {
    try matching(try await database().systemTemplates(), limit) { $0.name }
  }

  func systemTemplate(_ name: String) async throws -> SystemTemplate {
    try one(try await database().systemTemplates(), try ProvisionerRules.name(name, "system template"), .systemTemplate)
    {
      $0.name
    }
  }

  func addSystemTemplate(_ name: String, _ request: SystemTemplateRequest) async throws {
    let name = try ProvisionerRules.name(name, "system template")
    let values = try ProvisionerRules.systemTemplate(request, new: true)
    try await database().pool.transaction { connection in
      try await ProvisionerDatabase.requireNew(.systemTemplate, name, connection)
      try await connection.execute(
        """
        INSERT INTO system_template (name, vcpu_count, vram_mb, serial, vnc, vnc_bind, node_limit, node_selector,
          node_autostart, migration_method, migration_max_downtime) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """,
        [
          .text(name), .integer(Int64(values.vcpus ?? 1)), .integer(Int64(values.vramMB ?? 1)),
          .integer(values.serial == true ? 1 : 0), .integer(values.vnc == true ? 1 : 0),
          values.vnc == true ? Self.text(values.vncBind) : .null, Self.text(values.nodeLimit?.joined(separator: ",")),
          Self.text(values.nodeSelector == "none" ? nil : values.nodeSelector),
          .integer(values.nodeAutostart == true ? 1 : 0), Self.text(values.migrationMethod),
          .integer(Int64(values.migrationMaxDowntime ?? 300)),
        ])
    }
  }

  func modifySystemTemplate(_ name: String, _ request: SystemTemplateRequest) async throws {
    let name = try ProvisionerRules.name(name, "system template")
    let values = try ProvisionerRules.systemTemplate(request, new: false)
    var sets: [(String, SQLValue)] = []
    if let vcpus = values.vcpus { sets.append(("vcpu_count", .integer(Int64(vcpus)))) }
    if let memory = values.vramMB { sets.append(("vram_mb", .integer(Int64(memory)))) }
    if let serial = values.serial { sets.append(("serial", .integer(serial ? 1 : 0))) }
    if let vnc = values.vnc {
      sets.append(("vnc", .integer(vnc ? 1 : 0)))
      if !vnc { sets.append(("vnc_bind", .null)) }
    }
    if let bind = request.vncBind { sets.append(("vnc_bind", Self.text(bind.isEmpty ? nil : values.vncBind))) }
    if let nodes = values.nodeLimit {
      sets.append(("node_limit", Self.text(nodes.isEmpty ? nil : nodes.joined(separator: ","))))
    }
    if let selector = values.nodeSelector {
      sets.append(("node_selector", Self.text(selector == "none" ? nil : selector)))
    }
    if let autostart = values.nodeAutostart { sets.append(("node_autostart", .integer(autostart ? 1 : 0))) }
    if let method = values.migrationMethod { sets.append(("migration_method", .text(method))) }
    if let downtime = values.migrationMaxDowntime { sets.append(("migration_max_downtime", .integer(Int64(downtime)))) }
    let changes = sets
    try await database().pool.transaction { connection in
      let id = try await ProvisionerDatabase.require(.systemTemplate, name, connection, lock: true)
      guard !changes.isEmpty else { return }
      try await connection.execute(
        "UPDATE system_template SET \(changes.map { "\($0.0) = ?" }.joined(separator: ", ")) WHERE id = ?",
        changes.map(\.1) + [.integer(id)])
    }
  }

  func removeSystemTemplate(_ name: String) async throws {
    try await database().remove(.systemTemplate, try ProvisionerRules.name(name, "system template"))
  }

  // MARK: Network templates

  func networkTemplates(limit: String?) async throws -> [NetworkTemplate] {
    try matching(try await database().networkTemplates(), limit) { $0.name }
  }

  func networkTemplate(_ name: String) async throws -> NetworkTemplate {
    try one(
      try await database().networkTemplates(), try ProvisionerRules.name(name, "network template"), .networkTemplate
    ) {
      $0.name
    }
  }

  func addNetworkTemplate(_ name: String, macTemplate: String?) async throws {
    let name = try ProvisionerRules.name(name, "network template")
    let mac = try macTemplate.flatMap { $0.isEmpty ? nil : $0 }.map { (text) throws(ProvisionerError) in
      try ProvisionerRules.macTemplate(text)
    }
    try await database().pool.transaction { connection in
      try await ProvisionerDatabase.requireNew(.networkTemplate, name, connection)
      try await connection.execute(
        "INSERT INTO network_template (name, mac_template) VALUES (?, ?)", [.text(name), Self.text(mac)])
    }
  }

  func removeNetworkTemplate(_ name: String) async throws {
    try await database().remove(.networkTemplate, try ProvisionerRules.name(name, "network template"))
  }

  func addTemplateNetwork(_ template: String, vni: String, permitDuplicate: Bool) async throws {
    let template = try ProvisionerRules.name(template, "network template")
    let vni = try ProvisionerRules.templateNetwork(vni)
    try await database().pool.transaction { connection in
      let id = try await ProvisionerDatabase.require(.networkTemplate, template, connection, lock: true)
      let present = try await connection.query(
        "SELECT COUNT(*) FROM network WHERE network_template = ?", [.integer(id)])
      if (ProvisionerDatabase.int(present.first?.first) ?? 0) >= 32 {
        throw ProvisionerError.invalid("a network template takes at most 32 networks")
      }
      let same = try await connection.query(
        "SELECT id FROM network WHERE network_template = ? AND vni = ?", [.integer(id), .text(vni)])
      if !same.isEmpty && !permitDuplicate {
        throw ProvisionerError.invalid(
          "network \(vni) is in network template \"\(template)\" already (permit_duplicate adds a second NIC on it)")
      }
      try await connection.execute(
        "INSERT INTO network (network_template, vni) VALUES (?, ?)", [.integer(id), .text(vni)])
    }
  }

  func removeTemplateNetwork(_ template: String, vni: String) async throws {
    let template = try ProvisionerRules.name(template, "network template")
    let vni = try ProvisionerRules.templateNetwork(vni)
    try await database().pool.transaction { connection in
      let id = try await ProvisionerDatabase.require(.networkTemplate, template, connection, lock: true)
      let removed = try await connection.execute(
        "DELETE FROM network WHERE network_template = ? AND vni = ? ORDER BY id DESC LIMIT 1",
        [.integer(id), .text(vni)])
      if removed == 0 { throw ProvisionerError.notFound(kind: "network in template \(template)", name: vni) }
    }
  }

  // MARK: Storage templates

  func storageTemplates(limit: String?) async throws -> [StorageTemplate] {
    try matching(try await database().storageTemplates(), limit) { $0.name }
  }

  func storageTemplate(_ name: String) async throws -> StorageTemplate {
    try one(
      try await database().storageTemplates(), try ProvisionerRules.name(name, "storage template"), .storageTemplate
    ) {
      $0.name
    }
  }

  func addStorageTemplate(_ name: String) async throws {
    let name = try ProvisionerRules.name(name, "storage template")
    try await database().pool.transaction { connection in
      try await ProvisionerDatabase.requireNew(.storageTemplate, name, connection)
      try await connection.execute("INSERT INTO storage_template (name) VALUES (?)", [.text(name)])
    }
  }

  func removeStorageTemplate(_ name: String) async throws {
    try await database().remove(.storageTemplate, try ProvisionerRules.name(name, "storage template"))
  }

  func addTemplateDisk(_ template: String, diskID: String, _ request: TemplateDiskRequest) async throws {
    let template = try ProvisionerRules.name(template, "storage template")
    let disk = try ProvisionerRules.diskID(diskID)
    let values = try ProvisionerRules.disk(request)
    try await database().pool.transaction { connection in
      let id = try await ProvisionerDatabase.require(.storageTemplate, template, connection, lock: true)
      let disks = try await connection.query("SELECT disk_id FROM storage WHERE storage_template = ?", [.integer(id)])
      if disks.contains(where: { $0.first == disk }) {
        throw ProvisionerError.exists(kind: "disk in storage template \(template)", name: disk)
      }
      guard disks.count < 26 else { throw ProvisionerError.invalid("a storage template takes at most 26 disks") }
      try await connection.execute(
        """
        INSERT INTO storage (storage_template, pool, disk_id, source_volume, disk_size_gb, mountpoint, filesystem,
          filesystem_args) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
        """,
        [
          .integer(id), .text(values.pool), .text(disk), Self.text(values.sourceVolume),
          values.sizeGB.map { .integer(Int64($0)) } ?? .null, Self.text(values.mountpoint),
          Self.text(values.filesystem), .text(values.filesystemArguments.joined(separator: " ")),
        ])
    }
  }

  func removeTemplateDisk(_ template: String, diskID: String) async throws {
    let template = try ProvisionerRules.name(template, "storage template")
    let disk = try ProvisionerRules.diskID(diskID)
    try await database().pool.transaction { connection in
      let id = try await ProvisionerDatabase.require(.storageTemplate, template, connection, lock: true)
      let removed = try await connection.execute(
        "DELETE FROM storage WHERE storage_template = ? AND disk_id = ?", [.integer(id), .text(disk)])
      if removed == 0 { throw ProvisionerError.notFound(kind: "disk in storage template \(template)", name: disk) }
    }
  }

  // MARK: Userdata and scripts

  func userdata(limit: String?) async throws -> [UserdataDocument] {
    try matching(try await database().userdata(), limit) { $0.name }
  }

  func userdata(_ name: String) async throws -> UserdataDocument {
    try one(try await database().userdata(), try ProvisionerRules.name(name, "userdata document"), .userdata) {
      $0.name
    }
  }

  func addUserdata(_ name: String, data: String) async throws {
    try await addDocument(.userdata, name, try ProvisionerRules.userdata(data))
  }

  func modifyUserdata(_ name: String, data: String) async throws {
    try await modifyDocument(.userdata, name, try ProvisionerRules.userdata(data))
  }

  func removeUserdata(_ name: String) async throws {
    try await database().remove(.userdata, try ProvisionerRules.name(name, "userdata document"))
  }

  func scripts(limit: String?) async throws -> [ProvisionerScript] {
    try matching(try await database().scripts(), limit) { $0.name }
  }

  func script(_ name: String) async throws -> ProvisionerScript {
    try one(try await database().scripts(), try ProvisionerRules.name(name, "script"), .script) { $0.name }
  }

  func addScript(_ name: String, data: String) async throws {
    try await addDocument(.script, name, try ProvisionerRules.script(data))
  }

  func modifyScript(_ name: String, data: String) async throws {
    try await modifyDocument(.script, name, try ProvisionerRules.script(data))
  }

  func removeScript(_ name: String) async throws {
    try await database().remove(.script, try ProvisionerRules.name(name, "script"))
  }

  /// Userdata and scripts: a name and a document (column named as the table).
  private func addDocument(_ table: Table, _ name: String, _ text: String) async throws {
    let name = try ProvisionerRules.name(name, table.kind)
    try await database().pool.transaction { connection in
      try await ProvisionerDatabase.requireNew(table, name, connection)
      try await connection.execute(
        "INSERT INTO \(table.rawValue) (name, \(table.rawValue)) VALUES (?, ?)", [.text(name), .text(text)])
    }
  }

  private func modifyDocument(_ table: Table, _ name: String, _ text: String) async throws {
    let name = try ProvisionerRules.name(name, table.kind)
    try await database().pool.transaction { connection in
      let id = try await ProvisionerDatabase.require(table, name, connection, lock: true)
      try await connection.execute(
        "UPDATE \(table.rawValue) SET \(table.rawValue) = ? WHERE id = ?", [.text(text), .integer(id)])
    }
  }

  // MARK: OVA images

  func ovas(limit: String?) async throws -> [OVAImage] {
    try matching(try await database().ovas(), limit) { $0.name }
  }

  func ova(_ name: String) async throws -> OVAImage {
    try one(try await database().ovas(), try ProvisionerRules.name(name, "OVA image"), .ova) { $0.name }
  }

  // MARK: Profiles

  func uploadOVA(_ name: String, pool: String, size: UInt64, from source: ImageSource) async throws {
    guard let storage else { throw StorageError.noCephAccess }
    _ = try await OVAImport(database: try await database(), storage: storage).run(
      name, pool: pool, size: size, from: source)
  }

  func removeOVA(_ name: String) async throws {
    let name = try ProvisionerRules.name(name, "OVA image")
    guard let storage else { throw StorageError.noCephAccess }
    let volumes = try await database().removeOVA(name)
    var failed: [String] = []
    for volume in volumes {
      do { try await storage.removeVolume(volume.volumeName, pool: volume.pool) } catch StorageError.volumeNotFound {
      } catch { failed.append("\(volume.pool)/\(volume.volumeName): \(error)") }
    }
    guard failed.isEmpty else {
      throw ProvisionerError.invalid(
        "OVA image \(name) is removed, but not all its volumes: \(failed.joined(separator: "; "))")
    }
  }

  func profiles(limit: String?) async throws -> [VMProfile] {
    try matching(try await database().profiles(), limit) { $0.name }
  }

  func profile(_ name: String) async throws -> VMProfile {
    try one(try await database().profiles(), try ProvisionerRules.name(name, "profile"), .profile) { $0.name }
  }

  func addProfile(_ name: String, _ request: VMProfileRequest) async throws {
    let name = try ProvisionerRules.name(name, "profile")
    guard let type = request.type else { throw ProvisionerError.invalid("a profile needs a type (provisioner or ova)") }
    guard let system = request.systemTemplate, !system.isEmpty else {
      throw ProvisionerError.invalid("a profile needs a system template")
    }
    if type == .provisioner && (request.script ?? "").isEmpty {
      throw ProvisionerError.invalid("a provisioner profile needs a script")
    }
    if type == .ova && (request.ova ?? "").isEmpty {
      throw ProvisionerError.invalid("an OVA profile needs its OVA image")
    }
    let arguments = try ProvisionerRules.arguments(request.arguments ?? [])
    var named = request
    named.systemTemplate = system
    let checked = named
    try await database().pool.transaction { connection in
      try await ProvisionerDatabase.requireNew(.profile, name, connection)
      let references = try await Self.references(checked, connection)
      try await connection.execute(
        """
        INSERT INTO profile (name, profile_type, system_template, network_template, storage_template, userdata,
          script, ova, arguments) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
        """,
        [.text(name), .text(type.rawValue)]
          + [Table.systemTemplate, .networkTemplate, .storageTemplate, .userdata, .script, .ova].map {
            references[$0].map { .integer($0) } ?? .null
          } + [.text(arguments.joined(separator: "|"))])
    }
  }

  func modifyProfile(_ name: String, _ request: VMProfileRequest) async throws {
    let name = try ProvisionerRules.name(name, "profile")
    var named = request
    named.ova = nil  // the type and OVA stay
    let checked = named
    let arguments = try request.arguments.map { (list) throws(ProvisionerError) in
      try ProvisionerRules.arguments(list)
    }
    try await database().pool.transaction { connection in
      let id = try await ProvisionerDatabase.require(.profile, name, connection, lock: true)
      let references = try await Self.references(checked, connection)
      var sets: [(String, SQLValue)] = references.map { ($0.key.rawValue, .integer($0.value)) }
      // An empty name clears an optional reference.
      for (table, given) in [
        (Table.networkTemplate, request.networkTemplate), (.storageTemplate, request.storageTemplate),
        (.userdata, request.userdata),
      ] where given == "" {
        sets.append((table.rawValue, .null))
      }
      if let arguments { sets.append(("arguments", .text(arguments.joined(separator: "|")))) }
      guard !sets.isEmpty else { return }
      try await connection.execute(
        "UPDATE profile SET \(sets.map { "\($0.0) = ?" }.joined(separator: ", ")) WHERE id = ?",
        sets.map(\.1) + [.integer(id)])
    }
  }

  func removeProfile(_ name: String) async throws {
    try await database().remove(.profile, try ProvisionerRules.name(name, "profile"))
  }

  func create(_ arguments: ProvisionerCreateTask.Arguments) async throws -> ClusterTask {
    try VMName.check(arguments.name)
    _ = try ProvisionerRules.arguments(arguments.arguments)
    _ = try await profile(arguments.profile)
    guard let zookeeper else { throw ProvisionerError.invalid("this connection cannot queue tasks") }
    let primary = try await DirectNodeOperations(zookeeper: zookeeper).requirePrimary()
    return try await DirectTaskOperations(zookeeper: zookeeper).submit(
      ProvisionerCreateTask.self, arguments, runOn: primary)
  }

  /// The row numbers of the objects a profile request names (each must exist; empty names are left out).
  private static func references(_ request: VMProfileRequest, _ connection: MariaDBConnection) async throws
    -> [Table: Int64]
  {
    var found: [Table: Int64] = [:]
    for (table, given) in [
      (Table.systemTemplate, request.systemTemplate), (.networkTemplate, request.networkTemplate),
      (.storageTemplate, request.storageTemplate), (.userdata, request.userdata), (.script, request.script),
      (.ova, request.ova),
    ] {
      guard let given, !given.isEmpty else { continue }
      let name = try ProvisionerRules.name(given, table.kind)
      // Locked while the profile is written: a concurrent removal waits, then sees the profile.
      found[table] = try await ProvisionerDatabase.require(table, name, connection, lock: true)
    }
    return found
  }

  static func text(_ value: String?) -> SQLValue { value.map { .text($0) } ?? .null }
}
