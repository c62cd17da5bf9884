import ArgumentParser
import Foundation
import PVCKit

/// How a command reaches the cluster; included by every command that needs it.
struct ConnectionOptions: ParsableArguments {
  // -c belongs before the command, as upstream has it (`pvc -c NAME vm list`, see main.swift):
  // after it, upstream's commands use -c for their own options.
  @Option(
    name: .customLong("connection"),
    help: ArgumentHelp(
      "A saved connection (see 'pvc connection list'); also -c NAME before the command.",
      discussion: "Overrides PVC_CONNECTION.", valueName: "name"))
  var connection: String?

  @Option(
    name: .customLong("zookeeper"),
    help: ArgumentHelp(
      "ZooKeeper ensemble to connect to, as host:port[,host:port...][/chroot].",
      discussion: "Overrides PVC_ZOOKEEPER and the configuration file.", valueName: "hosts"))
  var zookeeper: String?

  @Option(
    name: .customLong("config"),
    help: ArgumentHelp(
      "Cluster configuration file to find the ensemble in.",
      discussion: "With --zookeeper or PVC_ZOOKEEPER, the file's other settings apply to that ensemble.",
      valueName: "file"))
  var config: String?

  /// Where the cluster is reached.
  enum Target: Equatable {
    /// An ensemble, with the members' credentials and the VM policy when a configuration file gives them.
    case zookeeper(
      String, credentials: ZooKeeperCredentials? = nil, policy: DomainPolicy = .strict, ceph: CephAccess? = nil,
      database: MariaDBConnection.Settings? = nil, provisionerDatabase: MariaDBConnection.Settings? = nil,
      clusterNetwork: PVCConfiguration.CoreNetwork? = nil)
    case api(URL, key: String?)
  }

  /// The target: a named connection (option, then PVC_CONNECTION), else the
  /// ensemble (option, PVC_ZOOKEEPER, then the configuration file).
  func target() throws -> Target {
    let environment = ProcessInfo.processInfo.environment
    if let name = connection ?? environment["PVC_CONNECTION"].flatMap({ $0.isEmpty ? nil : $0 }) {
      guard let entry = try ConnectionStore.load().entries[name] else {
        throw CLIError(
          "no connection named \"\(name)\": see 'pvc connection list', or add it with 'pvc connection add'")
      }
      if let hosts = entry.zookeeper { return .zookeeper(hosts) }
      if let url = entry.url { return .api(url, key: entry.apiKey) }
      if let file = entry.cfgfile { return Self.target(of: try PVCConfiguration.load(from: file)) }
      throw CLIError("connection \"\(name)\" names neither an API address nor a ZooKeeper ensemble")
    }
    if let hosts = zookeeper.flatMap({ $0.isEmpty ? nil : $0 }) ?? environment["PVC_ZOOKEEPER"], !hosts.isEmpty {
      // With a configuration file too: its other settings (credentials, Ceph, the nodes' addresses) apply.
      if let file = config ?? environment["PVC_CONFIG_FILE"], FileManager.default.fileExists(atPath: file) {
        return Self.target(of: try PVCConfiguration.load(from: file), hosts: hosts)
      }
      return .zookeeper(hosts)
    }
    let file = config ?? environment["PVC_CONFIG_FILE"] ?? PVCConfiguration.defaultPath
    guard config != nil || environment["PVC_CONFIG_FILE"] != nil || FileManager.default.fileExists(atPath: file) else {
      throw CLIError(
        "no cluster to talk to: give -c CONNECTION or --zookeeper HOSTS, set PVC_CONNECTION or PVC_ZOOKEEPER, or provide \(file)"
      )
    }
    return Self.target(of: try PVCConfiguration.load(from: file))
  }

  /// The ensemble and credentials of a configuration file.
  static func target(of configuration: PVCConfiguration, hosts: String? = nil) -> Target {
    .zookeeper(
      hosts ?? configuration.zookeeperHosts, credentials: configuration.zookeeper.credentials,
      policy: configuration.vmPolicy,
      ceph: configuration.cephAccess, database: configuration.dnsDatabaseSettings,
      provisionerDatabase: configuration.provisionerDatabaseSettings, clusterNetwork: configuration.cluster.cluster)
  }

  /// `PVC_CEPH_CONFIG`: the ceph.conf for storage changes over a direct connection.
  static var environmentCeph: CephAccess? {
    ProcessInfo.processInfo.environment["PVC_CEPH_CONFIG"].flatMap {
      $0.isEmpty ? nil : CephAccess(configurationFile: $0)
    }
  }

  /// Connects to the cluster.
  func connect() async throws -> PVCCluster {
    switch try target() {
    case .zookeeper(
      let hosts, let credentials, let policy, let ceph, let database, let provisionerDatabase, let network):
      // Storage changes reach Ceph through the configuration's ceph.conf, or PVC_CEPH_CONFIG's.
      let access = ceph ?? Self.environmentCeph
      do {
        return try await PVCCluster.connect(
          .zookeeper(hosts: hosts, connectTimeout: .seconds(5), credentials: credentials), policy: policy,
          ceph: access, database: database, provisionerDatabase: provisionerDatabase,
          libvirt: network.map { NodeLibvirtAccess(clusterNetwork: $0) })
      } catch let error as ZooKeeperError where error.code == .notConnected {
        throw CLIError("cannot reach ZooKeeper at \(hosts): is the cluster up?", kind: .unavailable)
      }
    case .api(let url, let key):
      return try await PVCCluster.connect(.api(url: url, key: key))
    }
  }
}
/// Asks for confirmation of a destructive action unless `--yes` or PVC_UNSAFE is given.
struct ConfirmationOptions: ParsableArguments {
  @Flag(name: [.short, .long], help: "Do not ask for confirmation.")
  var yes = false

  func confirm(_ question: String) throws {
    if yes || ProcessInfo.processInfo.environment["PVC_UNSAFE"].map({ !$0.isEmpty && $0 != "0" }) == true { return }
    guard isatty(STDIN_FILENO) != 0 else {
      throw CLIError("\(question) Refusing without confirmation: pass --yes (or set PVC_UNSAFE=1).", kind: .refused)
    }
    FileHandle.standardError.write(Data("\(question) [y/N] ".utf8))
    guard let answer = readLine(), ["y", "yes"].contains(answer.lowercased()) else {
      throw CLIError("aborted", kind: .refused)
    }
  }
}
