/// The provisioner's rows in MariaDB: reads of whole objects and the writes the operations make. Values are
/// always bound; table and column names are constants of this file.
struct ProvisionerDatabase: Sendable {
  let pool: MariaDBPool

  /// The tables of named objects, with the kind of object each holds (for messages) and the profile column
  /// that refers to it.
  enum Table: String, Sendable, CaseIterable {
    case systemTemplate = "system_template"
    case networkTemplate = "network_template"
    case storageTemplate = "storage_template"
    case userdata, script, ova, profile

    var kind: String {
      switch self {
      case .systemTemplate: "system template"
      case .networkTemplate: "network template"
      case .storageTemplate: "storage template"
      case .userdata: "userdata document"
      case .script: "script"
      case .ova: "OVA image"
      case .profile: "profile"
      }
    }
  }

  // MARK: Names and references

  /// The row number of `name` in `table`, if it exists.
  static func id(_ table: Table, _ name: String, _ connection: MariaDBConnection, lock: Bool = false)
    async throws -> Int64?
  {
    let rows = try await connection.query(
      "SELECT id FROM \(table.rawValue) WHERE name = ?\(lock ? " FOR UPDATE" : "")", [.text(name)])
    return rows.first?.first.flatMap { $0.flatMap { Int64($0) } }
  }

  /// The row number of `name`, or ``ProvisionerError/notFound(kind:name:)``.
  static func require(_ table: Table, _ name: String, _ connection: MariaDBConnection, lock: Bool = false)
    async throws -> Int64
  {
    guard let id = try await id(table, name, connection, lock: lock) else {
      throw ProvisionerError.notFound(kind: table.kind, name: name)
    }
    return id
  }

  /// Refuses a name that exists already.
  static func requireNew(_ table: Table, _ name: String, _ connection: MariaDBConnection) async throws {
    if try await id(table, name, connection) != nil { throw ProvisionerError.exists(kind: table.kind, name: name) }
  }

  /// The profiles that use row `id` of `table`.
  static func users(of table: Table, id: Int64, _ connection: MariaDBConnection) async throws -> [String] {
    guard table != .profile else { return [] }
    return try await connection.query(
      "SELECT name FROM profile WHERE \(table.rawValue) = ? ORDER BY name", [.integer(id)]
    ).compactMap { $0.first ?? nil }
  }

  /// Removes a named object unless a profile uses it (its dependent rows go with it).
  func remove(_ table: Table, _ name: String) async throws {
    try await pool.transaction { connection in
      let id = try await Self.require(table, name, connection, lock: true)
      let users = try await Self.users(of: table, id: id, connection)
      guard users.isEmpty else { throw ProvisionerError.inUse(kind: table.kind, name: name, by: users) }
      try await connection.execute("DELETE FROM \(table.rawValue) WHERE id = ?", [.integer(id)])
    }
  }

  // MARK: Reads

  func systemTemplates() async throws -> [SystemTemplate] {
    try await pool.query(
      """
      SELECT id, name, vcpu_count, vram_mb, serial, vnc, vnc_bind, node_limit, node_selector, node_autostart,
        migration_method, migration_max_downtime, ova FROM system_template ORDER BY name
      """
    ).compactMap { row in
      guard row.count == 13, let id = Self.int(row[0]), let name = row[1], let vcpus = Self.int(row[2]),
        let memory = Self.int(row[3])
      else { return nil }
      return SystemTemplate(
        id: id, name: name, vcpuCount: vcpus, vramMB: memory, serial: row[4] == "1", vnc: row[5] == "1",
        vncBind: row[6], nodeLimit: row[7], nodeSelector: row[8], nodeAutostart: row[9] == "1",
        migrationMethod: row[10], migrationMaxDowntime: Self.int(row[11]) ?? 300, ova: Self.int(row[12]))
    }
  }

  func networkTemplates() async throws -> [NetworkTemplate] {
    let networks = Dictionary(
      grouping: try await pool.query("SELECT id, network_template, vni FROM network ORDER BY id").compactMap {
        row -> TemplateNetwork? in
        guard row.count == 3, let id = Self.int(row[0]), let template = Self.int(row[1]), let vni = row[2] else {
          return nil
        }
        return TemplateNetwork(id: id, networkTemplate: template, vni: vni)
      }, by: \.networkTemplate)
    return try await pool.query("SELECT id, name, mac_template, ova FROM network_template ORDER BY name").compactMap {
      row in
      guard row.count == 4, let id = Self.int(row[0]), let name = row[1] else { return nil }
      return NetworkTemplate(
        id: id, name: name, macTemplate: row[2], ova: Self.int(row[3]), networks: networks[id] ?? [])
    }
  }

  func storageTemplates() async throws -> [StorageTemplate] {
    let disks = Dictionary(
      grouping: try await pool.query(
        """
        SELECT id, storage_template, pool, disk_id, source_volume, disk_size_gb, mountpoint, filesystem,
          filesystem_args FROM storage ORDER BY disk_id, id
        """
      ).compactMap { row -> TemplateDisk? in
        guard row.count == 9, let id = Self.int(row[0]), let template = Self.int(row[1]), let pool = row[2],
          let disk = row[3]
        else { return nil }
        return TemplateDisk(
          id: id, storageTemplate: template, pool: pool, diskID: disk, sourceVolume: row[4],
          diskSizeGB: Self.int(row[5]), mountpoint: row[6], filesystem: row[7], filesystemArgs: row[8] ?? "")
      }, by: \.storageTemplate)
    return try await pool.query("SELECT id, name, ova FROM storage_template ORDER BY name").compactMap { row in
      guard row.count == 3, let id = Self.int(row[0]), let name = row[1] else { return nil }
      return StorageTemplate(id: id, name: name, ova: Self.int(row[2]), disks: disks[id] ?? [])
    }
  }

  func userdata() async throws -> [UserdataDocument] {
    try await pool.query("SELECT id, name, userdata FROM userdata ORDER BY name").compactMap { row in
      guard row.count == 3, let id = Self.int(row[0]), let name = row[1] else { return nil }
      return UserdataDocument(id: id, name: name, userdata: row[2] ?? "")
    }
  }

  func scripts() async throws -> [ProvisionerScript] {
    try await pool.query("SELECT id, name, script FROM script ORDER BY name").compactMap { row in
      guard row.count == 3, let id = Self.int(row[0]), let name = row[1] else { return nil }
      return ProvisionerScript(id: id, name: name, script: row[2] ?? "")
    }
  }

  func ovas() async throws -> [OVAImage] {
    let volumes = Dictionary(
      grouping: try await pool.query(
        "SELECT ova, pool, volume_name, volume_format, disk_id, disk_size_gb FROM ova_volume ORDER BY disk_id"
      ).compactMap { row -> (Int, OVAVolume)? in
        guard row.count == 6, let ova = Self.int(row[0]), let pool = row[1], let volume = row[2], let format = row[3],
          let disk = row[4], let size = Self.int(row[5])
        else { return nil }
        return (ova, OVAVolume(pool: pool, volumeName: volume, volumeFormat: format, diskID: disk, diskSizeGB: size))
      }, by: \.0)
    return try await pool.query("SELECT id, name FROM ova ORDER BY name").compactMap { row in
      guard row.count == 2, let id = Self.int(row[0]), let name = row[1] else { return nil }
      return OVAImage(id: id, name: name, volumes: (volumes[id] ?? []).map(\.1))
    }
  }

  func profiles() async throws -> [VMProfile] {
    try await pool.query(
      """
      SELECT p.id, p.name, p.profile_type, st.name, nt.name, sto.name, u.name, sc.name, o.name, p.arguments
      FROM profile p JOIN system_template st ON st.id = p.system_template
        LEFT JOIN network_template nt ON nt.id = p.network_template
        LEFT JOIN storage_template sto ON sto.id = p.storage_template LEFT JOIN userdata u ON u.id = p.userdata
        LEFT JOIN script sc ON sc.id = p.script LEFT JOIN ova o ON o.id = p.ova ORDER BY p.name
      """
    ).compactMap { row in
      guard row.count == 10, let id = Self.int(row[0]), let name = row[1],
        let type = row[2].flatMap(ProfileType.init(rawValue:))
      else { return nil }
      let none = VMProfile.none
      return VMProfile(
        id: id, name: name, type: type, systemTemplate: row[3] ?? none, networkTemplate: row[4] ?? none,
        storageTemplate: row[5] ?? none, userdata: row[6] ?? none, script: row[7] ?? none, ova: row[8] ?? none,
        arguments: (row[9] ?? "").split(separator: "|", omittingEmptySubsequences: true).map(String.init))
    }
  }

  static func int(_ text: String??) -> Int? { text.flatMap { $0.flatMap { Int($0) } } }
  static func int(_ text: String?) -> Int? { text.flatMap { Int($0) } }
}
