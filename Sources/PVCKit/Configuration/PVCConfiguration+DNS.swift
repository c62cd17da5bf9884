extension PVCConfiguration {
  /// The DNS database (PVCKit's `database.mariadb`, laid out as upstream's `database.postgres`): the Galera
  /// members, and the `dns` database with its user.
  public struct DNSDatabase: Sendable, Hashable {
    /// The members' port when ``hosts`` is empty.
    public var port: Int
    /// Explicit `host:port` members; empty means every coordinator at ``port``.
    public var hosts: [String]
    public var database: String
    public var username: String
    public var password: String
    /// The provisioner's database and user (`api`, as upstream's `credentials.api`), when configured.
    public var provisioner: Credentials?

    /// A database and its user.
    public struct Credentials: Sendable, Hashable {
      public var database: String
      public var username: String
      public var password: String
    }
    /// A PEM file of the certificate authority of the members' TLS certificates (`tls_ca_file`): connections
    /// are encrypted and checked when it is set.
    public var tlsCAFile: String?
  }

  /// PowerDNS on the primary (PVCKit's `powerdns`): the port it answers on (default 53) and the networks
  /// that may take zones by AXFR (default: the upstream and cluster networks).
  public struct PowerDNS: Sendable, Hashable {
    public var port: Int
    public var transferNetworks: [String]
  }

  /// How this host reaches the DNS database, when `database.mariadb` is configured.
  public var dnsDatabaseSettings: MariaDBConnection.Settings? {
    guard let database = dnsDatabase else { return nil }
    return MariaDBConnection.Settings(
      hosts: database.hosts.isEmpty ? cluster.coordinatorNodes.map { "\($0):\(database.port)" } : database.hosts,
      user: database.username, password: database.password, database: database.database,
      tls: database.tlsCAFile.map { MariaDBConnection.TLS(certificateAuthority: $0.isEmpty ? nil : $0) })
  }

  /// How this host reaches the provisioner's database, when `database.mariadb.api` is configured.
  public var provisionerDatabaseSettings: MariaDBConnection.Settings? {
    guard var settings = dnsDatabaseSettings, let api = dnsDatabase?.provisioner else { return nil }
    settings.user = api.username
    settings.password = api.password
    settings.database = api.database
    return settings
  }

  static func dnsDatabase(_ section: ConfigurationReader?) throws -> DNSDatabase? {
    guard let section else { return nil }
    let dns = try section.section("dns")
    let hosts = try section.optionalList("hosts").enumerated().map { index, entry in
      try checkedHostPort(entry, reader: section, key: "hosts[\(index)]")
    }
    var tls: String?
    if section.has("tls_ca_file") {
      let file = try section.string("tls_ca_file", default: "")
      guard file.isEmpty || file.hasPrefix("/") else {
        throw section.error("tls_ca_file", "expected an absolute path (or \"\" for TLS without a checked CA)")
      }
      tls = file
    }
    var provisioner: DNSDatabase.Credentials?
    if section.has("api") {
      let api = try section.section("api")
      provisioner = .init(
        database: try api.string("database", default: "pvcapi"), username: try api.string("username"),
        password: try api.string("password"))
    }
    return DNSDatabase(
      port: try section.int("port", default: 3306, in: 1...65535), hosts: hosts,
      database: try dns.string("database", default: "pvcdns"), username: try dns.string("username"),
      password: try dns.string("password"), provisioner: provisioner, tlsCAFile: tls)
  }

  static func powerDNS(_ section: ConfigurationReader?, cluster: Cluster) throws -> PowerDNS {
    let fallback = [cluster.upstream, cluster.cluster].map { "\($0.networkAddress)/\($0.netmask)" }
    guard let section else { return PowerDNS(port: 53, transferNetworks: fallback) }
    let given = try section.optionalList("allow_axfr")
    for (index, entry) in given.enumerated() where IPNetwork(entry) == nil {
      throw section.error("allow_axfr[\(index)]", "expected a network such as 10.0.0.0/24, found '\(entry)'")
    }
    return PowerDNS(
      port: try section.int("listen_port", default: 53, in: 1...65535),
      transferNetworks: given.isEmpty ? fallback : given)
  }
}
