/// A database's schema, created and upgraded by PVCKit: numbered migrations recorded in a table of the
/// database (`pvckit_schema` for DNS, one per schema, so that two schemas can share a database). Every statement is idempotent (`IF NOT EXISTS`), so members or programs that migrate
/// at the same time cannot break each other (Galera has no cluster-wide lock for this).
struct DatabaseSchema: Sendable {
  /// One step of the schema.
  struct Migration: Sendable {
    let version: Int
    let summary: String
    let statements: [String]
  }

  /// The table the applied versions are recorded in (a constant of PVCKit, never a value from outside).
  let table: String
  let migrations: [Migration]

  /// The newest version this PVCKit knows.
  var current: Int { migrations.last?.version ?? 0 }

  /// Brings the database to ``current``; returns the versions applied.
  /// - Parameter tooNew: the error for a database that a newer PVCKit upgraded (its version, this one's).
  @discardableResult
  func migrate(_ pool: MariaDBPool, tooNew: (Int, Int) -> any Error) async throws -> [Int] {
    try await pool.execute(
      """
      CREATE TABLE IF NOT EXISTS \(table) (version INT NOT NULL, summary VARCHAR(200) NOT NULL,
        applied_at BIGINT NOT NULL, PRIMARY KEY (version)) ENGINE=InnoDB
      """)
    let rows = try await pool.query("SELECT COALESCE(MAX(version), 0) FROM \(table)")
    let have = rows.first?.first.flatMap { $0.flatMap { Int($0) } } ?? 0
    guard have <= current else { throw tooNew(have, current) }
    var applied: [Int] = []
    for migration in migrations where migration.version > have {
      for statement in migration.statements { try await pool.execute(statement) }
      try await pool.execute(
        "INSERT IGNORE INTO \(table) (version, summary, applied_at) VALUES (?, ?, UNIX_TIMESTAMP())",
        [.integer(Int64(migration.version)), .text(migration.summary)])
      applied.append(migration.version)
    }
    return applied
  }
}

/// This program's way to one of the cluster's databases: a pool made on first use, after which the schema is
/// brought up to date once.
actor DatabaseLink<Store: Sendable> {
  let settings: MariaDBConnection.Settings?
  private let schema: DatabaseSchema
  private let missing: @Sendable () -> any Error
  private let tooNew: @Sendable (Int, Int) -> any Error
  private let make: @Sendable (MariaDBPool) -> Store
  private var ready: (store: Store, pool: MariaDBPool)?

  /// - Parameters:
  ///   - missing: the error when no database is configured.
  ///   - tooNew: the error for a schema newer than this PVCKit's.
  ///   - make: the store over a ready pool.
  init(
    _ settings: MariaDBConnection.Settings?, schema: DatabaseSchema, missing: @escaping @Sendable () -> any Error,
    tooNew: @escaping @Sendable (Int, Int) -> any Error, make: @escaping @Sendable (MariaDBPool) -> Store
  ) {
    self.settings = settings
    self.schema = schema
    self.missing = missing
    self.tooNew = tooNew
    self.make = make
  }

  /// The store (connected and migrated now if it was not).
  func database() async throws -> Store {
    if let ready { return ready.store }
    guard let settings else { throw missing() }
    let pool = MariaDBPool(settings)
    do {
      try await schema.migrate(pool, tooNew: tooNew)
    } catch {
      await pool.close()
      throw error
    }
    let store = make(pool)
    ready = (store, pool)
    return store
  }

  /// Closes the pool.
  func close() async {
    let closing = ready
    ready = nil
    await closing?.pool.close()
  }
}
