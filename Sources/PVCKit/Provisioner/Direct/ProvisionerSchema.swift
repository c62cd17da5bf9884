/// The provisioner database's schema (``DatabaseSchema``): upstream's tables and columns (`pvcapi`), in
/// MariaDB, with foreign keys that keep a profile's references whole (an object a profile uses cannot go).
enum ProvisionerSchema {
  static let schema = DatabaseSchema(
    table: "pvckit_provisioner_schema",
    migrations: [
      .init(
        version: 1,
        summary: "provisioner templates, documents, OVA images and profiles",
        statements: [
          """
          CREATE TABLE IF NOT EXISTS ova (id INT AUTO_INCREMENT PRIMARY KEY, name VARCHAR(100) NOT NULL UNIQUE,
            ovf MEDIUMTEXT NOT NULL) ENGINE=InnoDB
          """,
          """
          CREATE TABLE IF NOT EXISTS ova_volume (id INT AUTO_INCREMENT PRIMARY KEY, ova INT NOT NULL,
            pool VARCHAR(100) NOT NULL, volume_name VARCHAR(200) NOT NULL, volume_format VARCHAR(20) NOT NULL,
            disk_id VARCHAR(10) NOT NULL, disk_size_gb INT NOT NULL,
            FOREIGN KEY (ova) REFERENCES ova(id) ON DELETE CASCADE) ENGINE=InnoDB
          """,
          """
          CREATE TABLE IF NOT EXISTS system_template (id INT AUTO_INCREMENT PRIMARY KEY,
            name VARCHAR(100) NOT NULL UNIQUE, vcpu_count INT NOT NULL, vram_mb INT NOT NULL, serial BOOL NOT NULL,
            vnc BOOL NOT NULL, vnc_bind VARCHAR(64), node_limit TEXT, node_selector VARCHAR(16),
            node_autostart BOOL NOT NULL DEFAULT 0, migration_method VARCHAR(16),
            migration_max_downtime INT NOT NULL DEFAULT 300, ova INT,
            FOREIGN KEY (ova) REFERENCES ova(id) ON DELETE SET NULL) ENGINE=InnoDB
          """,
          """
          CREATE TABLE IF NOT EXISTS network_template (id INT AUTO_INCREMENT PRIMARY KEY,
            name VARCHAR(100) NOT NULL UNIQUE, mac_template VARCHAR(64), ova INT,
            FOREIGN KEY (ova) REFERENCES ova(id) ON DELETE SET NULL) ENGINE=InnoDB
          """,
          """
          CREATE TABLE IF NOT EXISTS network (id INT AUTO_INCREMENT PRIMARY KEY, network_template INT NOT NULL,
            vni VARCHAR(16) NOT NULL,
            FOREIGN KEY (network_template) REFERENCES network_template(id) ON DELETE CASCADE) ENGINE=InnoDB
          """,
          """
          CREATE TABLE IF NOT EXISTS storage_template (id INT AUTO_INCREMENT PRIMARY KEY,
            name VARCHAR(100) NOT NULL UNIQUE, ova INT,
            FOREIGN KEY (ova) REFERENCES ova(id) ON DELETE SET NULL) ENGINE=InnoDB
          """,
          """
          CREATE TABLE IF NOT EXISTS storage (id INT AUTO_INCREMENT PRIMARY KEY, storage_template INT NOT NULL,
            pool VARCHAR(100) NOT NULL, disk_id VARCHAR(10) NOT NULL, source_volume VARCHAR(100),
            disk_size_gb INT, mountpoint VARCHAR(255), filesystem VARCHAR(16), filesystem_args TEXT NOT NULL,
            FOREIGN KEY (storage_template) REFERENCES storage_template(id) ON DELETE CASCADE) ENGINE=InnoDB
          """,
          """
          CREATE TABLE IF NOT EXISTS userdata (id INT AUTO_INCREMENT PRIMARY KEY, name VARCHAR(100) NOT NULL UNIQUE,
            userdata MEDIUMTEXT NOT NULL) ENGINE=InnoDB
          """,
          """
          CREATE TABLE IF NOT EXISTS script (id INT AUTO_INCREMENT PRIMARY KEY, name VARCHAR(100) NOT NULL UNIQUE,
            script MEDIUMTEXT NOT NULL) ENGINE=InnoDB
          """,
          """
          CREATE TABLE IF NOT EXISTS profile (id INT AUTO_INCREMENT PRIMARY KEY, name VARCHAR(100) NOT NULL UNIQUE,
            profile_type VARCHAR(16) NOT NULL, system_template INT NOT NULL, network_template INT,
            storage_template INT, userdata INT, script INT, ova INT, arguments TEXT NOT NULL,
            FOREIGN KEY (system_template) REFERENCES system_template(id),
            FOREIGN KEY (network_template) REFERENCES network_template(id),
            FOREIGN KEY (storage_template) REFERENCES storage_template(id),
            FOREIGN KEY (userdata) REFERENCES userdata(id), FOREIGN KEY (script) REFERENCES script(id),
            FOREIGN KEY (ova) REFERENCES ova(id)) ENGINE=InnoDB
          """,
        ])
    ])
}

/// This program's way to the provisioner database.
typealias ProvisionerLink = DatabaseLink<ProvisionerDatabase>

extension DatabaseLink where Store == ProvisionerDatabase {
  init(_ settings: MariaDBConnection.Settings?) {
    self.init(
      settings, schema: ProvisionerSchema.schema, missing: { ProvisionerError.noDatabase },
      tooNew: { ProvisionerError.schemaTooNew(database: $0, known: $1) }, make: { ProvisionerDatabase(pool: $0) })
  }
}
