/// This program's way to the DNS database: a pool made on first use, after which the schema is brought up to
/// date once (``DNSSchema``).
actor DNSLink {
  let settings: MariaDBConnection.Settings?
  private var ready: DNSDatabase?

  init(_ settings: MariaDBConnection.Settings?) { self.settings = settings }

  /// The database (connected and migrated now if it was not).
  func database() async throws -> DNSDatabase {
    if let ready { return ready }
    guard let settings else { throw DNSError.noDatabase }
    let pool = MariaDBPool(settings)
    do {
      try await DNSSchema.migrate(pool)
    } catch {
      await pool.close()
      throw error
    }
    let database = DNSDatabase(pool: pool)
    ready = database
    return database
  }

  /// Closes the pool.
  func close() async {
    let closing = ready
    ready = nil
    await closing?.pool.close()
  }
}
