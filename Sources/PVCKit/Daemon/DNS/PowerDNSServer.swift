import Foundation

/// The primary's PowerDNS authoritative server: `pdns_server` with the gmysql backend, reading the zones
/// straight from one synced Galera member, answering on the cluster's floating addresses. It runs as a daemon
/// with its pid file in its own directory (`<runtime>/pdns`), and is stopped by that pid.
///
/// PowerDNS's caches are off (`*-cache-ttl=0`, `zone-cache-refresh-interval=0`): a change committed to Galera
/// is answered at once, which is what PVC's users expect from its API; the database answers each query.
///
/// pvcd's DNS duty runs it on the primary; it is public for programs that serve a DNS database themselves
/// (`pvc-bench` does).
public struct PowerDNSServer: Sendable {
  /// What the server is started with.
  public struct Settings: Sendable, Equatable {
    /// The member PowerDNS reads from (`host:port`).
    public var member: String
    public var database: String
    public var user: String
    public var password: String
    /// The addresses it answers on.
    public var addresses: [String]
    public var port: Int
    /// Networks allowed to take zones by AXFR (CIDR).
    public var transferNetworks: [String]

    /// Describes a server reading `database` on `member` as `user`, answering on `addresses` at `port`.
    public init(
      member: String, database: String, user: String, password: String, addresses: [String], port: Int,
      transferNetworks: [String]
    ) {
      self.member = member
      self.database = database
      self.user = user
      self.password = password
      self.addresses = addresses
      self.port = port
      self.transferNetworks = transferNetworks
    }
  }

  /// Its own directory: configuration, pid file and control socket.
  public let directory: String
  let pdns = Command("/usr/sbin/pdns_server", "/usr/bin/pdns_server")

  /// A server kept in `directory` (made, mode 700, when it starts).
  public init(directory: String) { self.directory = directory }

  var daemon: PidFileDaemon {
    PidFileDaemon(pidFile: directory + "/pdns.pid", marker: "--config-dir=\(directory)")
  }

  /// `pdns.conf`'s text.
  /// - Throws: ``DNSError/invalid(_:)`` for a value PowerDNS's configuration format cannot hold safely.
  static func configuration(_ settings: Settings, directory: String) throws(DNSError) -> String {
    let member = settings.member.split(separator: ":")
    guard member.count == 2, let port = Int(member[1]), (1...65535).contains(port) else {
      throw .invalid("the database member '\(DNSRules.shown(settings.member))' is not host:port")
    }
    for (what, value) in [
      ("database host", String(member[0])), ("database name", settings.database), ("database user", settings.user),
      ("database password", settings.password),
    ] {
      // PowerDNS reads one line per setting, `#` starts a comment, and spaces around a value are dropped.
      guard !value.isEmpty, value.utf8.allSatisfy({ (0x21...0x7E).contains($0) && $0 != 0x23 }) else {
        throw .invalid("the \(what) must be printable ASCII without spaces or '#' for PowerDNS")
      }
    }
    let addresses = settings.addresses.compactMap { IPAddress($0)?.description }
    guard !addresses.isEmpty, addresses.count == settings.addresses.count else {
      throw .invalid("PowerDNS needs addresses to answer on, each an IP address")
    }
    let networks = settings.transferNetworks.compactMap { IPNetwork($0)?.description }
    guard networks.count == settings.transferNetworks.count, (1...65535).contains(settings.port) else {
      throw .invalid("PowerDNS's port or AXFR networks are not acceptable")
    }
    return """
      # Written by pvcd on the primary coordinator; rewritten when it starts PowerDNS.
      launch=gmysql
      gmysql-host=\(member[0])
      gmysql-port=\(port)
      gmysql-dbname=\(settings.database)
      gmysql-user=\(settings.user)
      gmysql-password=\(settings.password)
      gmysql-dnssec=no
      local-address=\(addresses.joined(separator: ","))
      local-address-nonexist-fail=no
      local-port=\(settings.port)
      socket-dir=\(directory)
      daemon=yes
      guardian=no
      primary=yes
      disable-axfr=no
      allow-axfr-ips=\((["127.0.0.0/8", "::1/128"] + networks).joined(separator: ","))
      zone-cache-refresh-interval=0
      cache-ttl=0
      negquery-cache-ttl=0
      query-cache-ttl=0
      consistent-backends=yes
      version-string=anonymous
      loglevel=4

      """
  }

  /// Writes the configuration (readable by root only: it holds the password) and starts the server.
  public func start(_ settings: Settings) async throws {
    let manager = FileManager.default
    try manager.createDirectory(
      atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
    let file = directory + "/pdns.conf"
    let text = try Self.configuration(settings, directory: directory)
    _ = manager.createFile(atPath: file, contents: nil, attributes: [.posixPermissions: 0o600])
    try text.write(toFile: file, atomically: false, encoding: .utf8)
    await daemon.stop()
    let outcome = try await pdns.run(["--config-dir=\(directory)"], timeout: .seconds(15))
    guard outcome.status == 0 else {
      throw PrimaryDutyError.failed("pdns_server did not start: \(outcome.output.suffix(400))")
    }
    // The daemon writes its pid file once it has bound its sockets.
    let deadline = ContinuousClock.now + .seconds(5)
    while daemon.pid == nil {
      guard ContinuousClock.now < deadline else {
        throw PrimaryDutyError.failed("pdns_server started but wrote no pid file in \(directory)")
      }
      try await Task.sleep(for: .milliseconds(20))
    }
  }

  /// Whether the server runs.
  public var isRunning: Bool { daemon.pid != nil }

  /// Stops the server.
  public func stop() async { await daemon.stop() }
}
