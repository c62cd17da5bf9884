/// The DNS database's schema (``DatabaseSchema``): PowerDNS's gmysql tables, then PVCKit's columns.
enum DNSSchema {
  typealias Migration = DatabaseSchema.Migration

  static let schema = DatabaseSchema(table: "pvckit_schema", migrations: migrations)

  /// The newest version this PVCKit knows.
  static var current: Int { schema.current }

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
    try await schema.migrate(pool) { DNSError.schemaTooNew(database: $0, known: $1) }
  }
}
