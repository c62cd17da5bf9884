/// An OVA image's rows: the image and its volumes, the system template made from its descriptor and the OVA
/// profile that uses them (named after the image, as upstream), written and removed together.
extension ProvisionerDatabase {
  /// Refuses an OVA name whose image, system template or profile exists already.
  func requireFreeOVA(_ name: String) async throws {
    try await pool.transaction { connection in
      for table in [Table.ova, .systemTemplate, .profile] {
        try await Self.requireNew(table, name, connection)
      }
    }
  }

  /// Records an imported image: the image, its volumes, a system template (serial console, no VNC) and a profile
  /// of type `ova` using the script named `ova` when there is one.
  func addOVA(_ name: String, descriptor: String, vcpus: Int, memoryMiB: Int, volumes: [OVAVolume]) async throws {
    try await pool.transaction { connection in
      for table in [Table.ova, .systemTemplate, .profile] {
        try await Self.requireNew(table, name, connection)
      }
      try await connection.execute("INSERT INTO ova (name, ovf) VALUES (?, ?)", [.text(name), .text(descriptor)])
      let ova = try await Self.require(.ova, name, connection)
      for volume in volumes {
        try await connection.execute(
          """
          INSERT INTO ova_volume (ova, pool, volume_name, volume_format, disk_id, disk_size_gb)
            VALUES (?, ?, ?, ?, ?, ?)
          """,
          [
            .integer(ova), .text(volume.pool), .text(volume.volumeName), .text(volume.volumeFormat),
            .text(volume.diskID), .integer(Int64(volume.diskSizeGB)),
          ])
      }
      try await connection.execute(
        """
        INSERT INTO system_template (name, vcpu_count, vram_mb, serial, vnc, node_autostart, migration_max_downtime,
          ova) VALUES (?, ?, ?, 1, 0, 0, 300, ?)
        """, [.text(name), .integer(Int64(vcpus)), .integer(Int64(memoryMiB)), .integer(ova)])
      let system = try await Self.require(.systemTemplate, name, connection)
      let script = try await Self.id(.script, "ova", connection)
      try await connection.execute(
        """
        INSERT INTO profile (name, profile_type, system_template, script, ova, arguments)
          VALUES (?, 'ova', ?, ?, ?, '')
        """, [.text(name), .integer(system), script.map { .integer($0) } ?? .null, .integer(ova)])
    }
  }

  /// Removes an image's rows: its OVA profiles and the system templates made for it (unless another profile uses
  /// one), then the image and its volumes' rows. Returns the volumes, for the caller to remove from Ceph.
  func removeOVA(_ name: String) async throws -> [OVAVolume] {
    try await pool.transaction { connection in
      let ova = try await Self.require(.ova, name, connection, lock: true)
      let others = try await connection.query(
        "SELECT name FROM profile WHERE ova = ? AND profile_type <> 'ova' ORDER BY name", [.integer(ova)]
      ).compactMap { $0.first ?? nil }
      guard others.isEmpty else { throw ProvisionerError.inUse(kind: Table.ova.kind, name: name, by: others) }
      let volumes = try await connection.query(
        "SELECT pool, volume_name, volume_format, disk_id, disk_size_gb FROM ova_volume WHERE ova = ? ORDER BY disk_id",
        [.integer(ova)]
      ).compactMap { row -> OVAVolume? in
        guard row.count == 5, let pool = row[0], let volume = row[1], let format = row[2], let disk = row[3],
          let size = Self.int(row[4])
        else { return nil }
        return OVAVolume(pool: pool, volumeName: volume, volumeFormat: format, diskID: disk, diskSizeGB: size)
      }
      try await connection.execute("DELETE FROM profile WHERE ova = ? AND profile_type = 'ova'", [.integer(ova)])
      let templates = try await connection.query("SELECT id FROM system_template WHERE ova = ?", [.integer(ova)])
        .compactMap { $0.first.flatMap { $0.flatMap { Int64($0) } } }
      for template in templates where try await Self.users(of: .systemTemplate, id: template, connection).isEmpty {
        try await connection.execute("DELETE FROM system_template WHERE id = ?", [.integer(template)])
      }
      try await connection.execute("DELETE FROM ova WHERE id = ?", [.integer(ova)])
      return volumes
    }
  }
}
