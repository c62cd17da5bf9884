/// This program's way to the DNS database: a pool made on first use, after which the schema is brought up to
/// date once (``DNSSchema``).
typealias DNSLink = DatabaseLink<DNSDatabase>

extension DatabaseLink where Store == DNSDatabase {
  init(_ settings: MariaDBConnection.Settings?) {
    self.init(
      settings, schema: DNSSchema.schema, missing: { DNSError.noDatabase },
      tooNew: { DNSError.schemaTooNew(database: $0, known: $1) }, make: { DNSDatabase(pool: $0) })
  }
}
