/// The DNS database's schema, created and upgraded by PVCKit: numbered migrations recorded in
/// `pvckit_schema`. Every statement is idempotent (`IF NOT EXISTS`), so members or programs that migrate at
/// the same time cannot break each other (Galera has no cluster-wide lock for this).
enum DNSSchema {
  /// One step of the schema.
  struct Migration: Sendable {
    let version: Int
    let summary: String
    let statements: [String]
  }

  /// The newest version this PVCKit knows.
  static var current: Int { migrations.last?.version ?? 0 }

  static let migrations: [Migration] = [
    Migration(
      version: 1,
      summary: "PowerDNS gmysql tables",
      statements: [
        """
        CREATE TABLE IF NOT EXISTS domains (id INT AUTO_INCREMENT, name VARCHAR(255) NOT NULL,
          master VARCHAR(128) DEFAULT NULL, last_check INT DEFAULT NULL, type VARCHAR(8) NOT NULL,
          notified_serial INT UNSIGNED DEFAULT NULL, account VARCHAR(40) CHARACTER SET 'utf8' DEFAULT NULL,
          options VARCHAR(64000) DEFAULT NULL, catalog VARCHAR(255) DEFAULT NULL, PRIMARY KEY (id))
          ENGINE=InnoDB CHARACTER SET 'latin1'
        """,
        "CREATE UNIQUE INDEX IF NOT EXISTS name_index ON domains(name)",
        "CREATE INDEX IF NOT EXISTS catalog_idx ON domains(catalog)",
        """
        CREATE TABLE IF NOT EXISTS records (id BIGINT AUTO_INCREMENT, domain_id INT DEFAULT NULL,
          name VARCHAR(255) DEFAULT NULL, type VARCHAR(10) DEFAULT NULL, content VARCHAR(64000) DEFAULT NULL,
          ttl INT DEFAULT NULL, prio INT DEFAULT NULL, disabled TINYINT(1) DEFAULT 0,
          ordername VARCHAR(255) BINARY DEFAULT NULL, auth TINYINT(1) DEFAULT 1, PRIMARY KEY (id))
          ENGINE=InnoDB CHARACTER SET 'latin1'
        """,
        "CREATE INDEX IF NOT EXISTS nametype_index ON records(name, type)",
        "CREATE INDEX IF NOT EXISTS domain_id ON records(domain_id)",
        "CREATE INDEX IF NOT EXISTS ordername ON records(ordername)",
        """
        CREATE TABLE IF NOT EXISTS supermasters (ip VARCHAR(64) NOT NULL, nameserver VARCHAR(255) NOT NULL,
          account VARCHAR(40) CHARACTER SET 'utf8' NOT NULL, PRIMARY KEY (ip, nameserver))
          ENGINE=InnoDB CHARACTER SET 'latin1'
        """,
        """
        CREATE TABLE IF NOT EXISTS comments (id INT AUTO_INCREMENT, domain_id INT NOT NULL,
          name VARCHAR(255) NOT NULL, type VARCHAR(10) NOT NULL, modified_at INT NOT NULL,
          account VARCHAR(40) CHARACTER SET 'utf8' DEFAULT NULL, comment TEXT CHARACTER SET 'utf8' NOT NULL,
          PRIMARY KEY (id)) ENGINE=InnoDB CHARACTER SET 'latin1'
        """,
        "CREATE INDEX IF NOT EXISTS comments_name_type_idx ON comments(name, type)",
        "CREATE INDEX IF NOT EXISTS comments_order_idx ON comments(domain_id, modified_at)",
        """
        CREATE TABLE IF NOT EXISTS domainmetadata (id INT AUTO_INCREMENT, domain_id INT NOT NULL,
          kind VARCHAR(32), content TEXT, PRIMARY KEY (id)) ENGINE=InnoDB CHARACTER SET 'latin1'
        """,
        "CREATE INDEX IF NOT EXISTS domainmetadata_idx ON domainmetadata(domain_id, kind)",
        """
        CREATE TABLE IF NOT EXISTS cryptokeys (id INT AUTO_INCREMENT, domain_id INT NOT NULL, flags INT NOT NULL,
          active BOOL, published BOOL DEFAULT 1, content TEXT, PRIMARY KEY (id))
          ENGINE=InnoDB CHARACTER SET 'latin1'
        """,
        "CREATE INDEX IF NOT EXISTS domainidindex ON cryptokeys(domain_id)",
        """
        CREATE TABLE IF NOT EXISTS tsigkeys (id INT AUTO_INCREMENT, name VARCHAR(255), algorithm VARCHAR(50),
          secret VARCHAR(255), PRIMARY KEY (id)) ENGINE=InnoDB CHARACTER SET 'latin1'
        """,
        "CREATE UNIQUE INDEX IF NOT EXISTS namealgoindex ON tsigkeys(name, algorithm)",
      ]),
    Migration(
      version: 2,
      summary: "PVCKit: who keeps each zone and record",
      statements: [
        "ALTER TABLE domains ADD COLUMN IF NOT EXISTS pvc_network INT DEFAULT NULL",
        "ALTER TABLE records ADD COLUMN IF NOT EXISTS pvc_source VARCHAR(16) NOT NULL DEFAULT 'user'",
        "CREATE INDEX IF NOT EXISTS pvc_domain_name ON records(domain_id, name)",
      ]),
  ]

  /// Brings the database to ``current``; returns the versions applied.
  /// - Throws: ``DNSError/schemaTooNew(database:known:)`` for a database a newer PVCKit upgraded.
  @discardableResult
  static func migrate(_ pool: MariaDBPool) async throws -> [Int] {
    try await pool.execute(
      """
      CREATE TABLE IF NOT EXISTS pvckit_schema (version INT NOT NULL, summary VARCHAR(200) NOT NULL,
        applied_at BIGINT NOT NULL, PRIMARY KEY (version)) ENGINE=InnoDB
      """)
    let rows = try await pool.query("SELECT COALESCE(MAX(version), 0) FROM pvckit_schema")
    let have = rows.first?.first.flatMap { $0.flatMap { Int($0) } } ?? 0
    guard have <= current else { throw DNSError.schemaTooNew(database: have, known: current) }
    var applied: [Int] = []
    for migration in migrations where migration.version > have {
      for statement in migration.statements { try await pool.execute(statement) }
      try await pool.execute(
        "INSERT IGNORE INTO pvckit_schema (version, summary, applied_at) VALUES (?, ?, UNIX_TIMESTAMP())",
        [.integer(Int64(migration.version)), .text(migration.summary)])
      applied.append(migration.version)
    }
    return applied
  }
}
