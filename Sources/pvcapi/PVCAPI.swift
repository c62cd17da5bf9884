import ArgumentParser
import Foundation
import PVCKit
import PVCKitAPI
import PVCKitServer

/// `pvcapi`: the HTTP API server (API v1, compatible with upstream PVC), over PVCKit.
@main
struct PVCAPI: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "pvcapi",
    abstract: "Serve the PVC HTTP API v1 for a cluster.",
    discussion: """
      Reads the 'api' section of the configuration file (listen address and port, tokens, TLS) and connects to the
      cluster's ZooKeeper. Stops cleanly on SIGINT or SIGTERM, finishing the requests in progress.
      """,
    version:
      "pvcapi (PVCKit) \(PVCKitVersion.string), API v1 compatible with PVC \(PVCKitVersion.upstreamCompatibility)"
  )

  @Option(name: .shortAndLong, help: ArgumentHelp("The configuration file.", valueName: "file"))
  var config = ProcessInfo.processInfo.environment["PVC_CONFIG_FILE"] ?? PVCConfiguration.defaultPath

  @Option(help: ArgumentHelp("ZooKeeper hosts (overrides the configuration).", valueName: "hosts"))
  var zookeeper: String?

  @Option(help: ArgumentHelp("Listen address (overrides the configuration).", valueName: "address"))
  var listen: String?

  @Option(help: ArgumentHelp("Listen port (overrides the configuration).", valueName: "port"))
  var port: Int?

  @Flag(help: "Check the configuration file, say what it configures, and exit (0 when it can be used).")
  var checkConfig = false

  func run() async throws {
    let configuration: PVCConfiguration
    do {
      configuration = try PVCConfiguration.load(from: config)
    } catch {
      throw ValidationError("\(error)")
    }
    if checkConfig {
      print(configuration.summary(file: config))
      return
    }
    var settings = APIServer.Settings.from(configuration)
    if let listen { settings.address = listen }
    if let port {
      guard (1...65535).contains(port) else { throw ValidationError("--port must be from 1 to 65535") }
      settings.port = port
    }
    if settings.authenticationEnabled && settings.hasNoTokens {
      // Safe by default: no token configured means a generated one, not an open API.
      settings.tokens = [try TokenFile.loadOrCreate(at: configuration.api.tokenFile)]
      note("no api.token in \(config): using the token in \(configuration.api.tokenFile) (readable by root only)")
    }
    if settings.listenAddress != settings.address {
      note(
        "authentication is off (api.authentication.enabled: no): listening on loopback only, not \(settings.address)")
    }
    let cluster = try await PVCCluster.connect(
      configuration.zookeeperConnection(hosts: zookeeper), policy: configuration.vmPolicy,
      ceph: configuration.cephAccess, database: configuration.dnsDatabaseSettings,
      provisionerDatabase: configuration.provisionerDatabaseSettings, libvirt: configuration.nodeLibvirtAccess)
    let scheme = settings.certificateFile == nil ? "http" : "https"
    note(
      "serving \(scheme)://\(settings.listenAddress):\(settings.port)\(APIServer.prefix) (authentication \(settings.authenticationEnabled ? "on" : "off"))"
    )
    do {
      try await APIServer(cluster: cluster, settings: settings).run()
    } catch {
      await cluster.close()
      FileHandle.standardError.write(Data("pvcapi: \(error)\n".utf8))
      throw ExitCode.failure
    }
    await cluster.close()
  }

  /// A line on standard error.
  func note(_ text: String) { FileHandle.standardError.write(Data("pvcapi: \(text)\n".utf8)) }
}
