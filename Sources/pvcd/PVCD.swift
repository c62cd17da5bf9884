import ArgumentParser
import Foundation
import Logging
import PVCKit
import PVCKitAPI

/// `pvcd`: the PVC node daemon.
///
/// It brings the cluster layout to this release's schema, registers the node,
/// then keeps its heartbeat and runs the VMs assigned to it through libvirt
/// until SIGTERM or SIGINT.
@main
struct PVCD: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "pvcd",
    abstract: "The PVC node daemon.",
    version: "pvcd (PVCKit) \(PVCKitVersion.string), compatible with PVC \(PVCKitVersion.upstreamCompatibility)"
  )

  @Option(help: ArgumentHelp("The cluster configuration file.", valueName: "file"))
  var config = ProcessInfo.processInfo.environment["PVC_CONFIG_FILE"] ?? PVCConfiguration.defaultPath

  @Option(help: ArgumentHelp("ZooKeeper ensemble, instead of the one in the configuration file.", valueName: "hosts"))
  var zookeeper: String?

  @Option(help: ArgumentHelp("This node's name (default: the short host name).", valueName: "name"))
  var node: String?

  @Option(help: ArgumentHelp("The local libvirt daemon.", valueName: "uri"))
  var libvirtURI = "qemu:///system"

  @Option(
    help: ArgumentHelp("Where libvirt writes guest console logs (overrides the configuration).", valueName: "dir"))
  var consoleLogDirectory: String?

  @Flag(help: "Mark the node ready to take VMs at start (upstream's pvcautoready).")
  var autoReady = false

  @Flag(help: "Run the schema startup steps, then exit.")
  var once = false

  @Flag(
    help: ArgumentHelp(
      "Check the configuration file, say what it configures, and exit (0 when it can be used; systemd's "
        + "ExecStartPre and the packages' scripts use it)."))
  var checkConfig = false

  @Option(
    help: ArgumentHelp(
      "The least severe messages logged: trace, debug, info, notice, warning, error or critical "
        + "(default: debug with the configuration's debug_logging, else info).", valueName: "level"),
    transform: { text in
      guard let level = Logger.Level(rawValue: text) else {
        throw ValidationError("unknown log level '\(text)': use trace, debug, info, notice, warning, error or critical")
      }
      return level
    })
  var logLevel: Logger.Level?

  func run() async throws {
    let logger = Self.bootstrapLogging(level: logLevel)
    do {
      let configuration = try PVCConfiguration.load(from: config)
      if checkConfig {
        print(configuration.summary(file: config))
        return
      }
      var logger = logger
      if logLevel == nil && configuration.logging.debug { logger.logLevel = .debug }
      let hosts = zookeeper ?? configuration.zookeeperHosts
      let zk = try await ZooKeeper.connect(
        to: hosts, sessionTimeout: .seconds(configuration.timers.keepaliveInterval * 4),
        credentials: configuration.zookeeper.credentials)
      let outcome = try await NodeStartup(zookeeper: zk, clusterName: configuration.cluster.name).run()
      logger.info(
        "schema version \(outcome.foundVersion)\(outcome.migrated ? " migrated to \(Layout.currentVersion)" : ""), \(outcome.repairedKeys.count) missing keys created"
      )
      if once {
        await zk.close()
        return
      }
      let name = node ?? ProcessInfo.processInfo.hostName.split(separator: ".").first.map(String.init) ?? "localhost"
      let identity = NodeIdentity.from(
        configuration, name: name, libvirtURI: libvirtURI, consoleLogDirectory: consoleLogDirectory)
      let libvirt = try await LibvirtConnection.open(libvirtURI)
      var settings = NodeDaemon.Settings.from(
        configuration, node: name, autoReady: autoReady, zookeeperHosts: hosts)
      if configuration.subsystems.api && identity.isCoordinator {
        // As upstream runs pvcapid: the primary coordinator serves the HTTP API.
        settings.additionalPrimaryDuties.append(
          APIDuty(
            connection: configuration.zookeeperConnection(hosts: hosts), policy: configuration.vmPolicy,
            ceph: configuration.cephAccess, database: configuration.dnsDatabaseSettings,
            provisionerDatabase: configuration.provisionerDatabaseSettings,
            libvirt: NodeLibvirtAccess(uri: identity.peerURI), settings: .from(configuration))
        )
      }
      if let provisioner = configuration.provisionerDatabaseSettings, identity.isCoordinator {
        // As upstream: the primary answers VMs' cloud-init on 169.254.169.254 from their profiles' userdata.
        settings.additionalPrimaryDuties.append(
          MetadataDuty(
            connection: configuration.zookeeperConnection(hosts: hosts), provisionerDatabase: provisioner,
            port: configuration.metadataPort))
      }
      let daemon = NodeDaemon(zookeeper: zk, libvirt: libvirt, identity: identity, settings: settings, logger: logger)
      // SIGTERM and SIGINT stop the daemon's services gracefully (bounded; see NodeDaemon.services).
      try await daemon.run()
      await libvirt.close()
      await zk.close()
    } catch {
      FileHandle.standardError.write(Data("pvcd: \(error)\n".utf8))
      throw ExitCode.failure
    }
  }

  /// Logs to standard error, from `level` on.
  static func bootstrapLogging(level: Logger.Level?) -> Logger {
    LoggingSystem.bootstrap { label in
      var handler = StreamLogHandler.standardError(label: label)
      handler.logLevel = level ?? .info
      return handler
    }
    var logger = Logger(label: "pvcd")
    logger.logLevel = level ?? .info
    return logger
  }
}
