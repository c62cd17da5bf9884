import ArgumentParser
import Foundation
import PVCKit
import PVCKitServer
import PVCKitWeb

/// `pvcweb`: the web UI server, over PVCKit.
@main
struct PVCWeb: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "pvcweb",
    abstract: "Serve the PVC web UI for a cluster.",
    discussion: """
      Connects to the cluster's ZooKeeper (from the configuration file) and serves HTML pages, by default on \
      127.0.0.1:7371. Log in with one of the API tokens of the configuration ('api.token'). Stops cleanly on \
      SIGINT or SIGTERM.
      """,
    version: "pvcweb (PVCKit) \(PVCKitVersion.string)"
  )

  @Option(name: .shortAndLong, help: ArgumentHelp("The configuration file.", valueName: "file"))
  var config = ProcessInfo.processInfo.environment["PVC_CONFIG_FILE"] ?? PVCConfiguration.defaultPath

  @Option(help: ArgumentHelp("ZooKeeper hosts (overrides the configuration).", valueName: "hosts"))
  var zookeeper: String?

  @Option(help: ArgumentHelp("Listen address.", valueName: "address")) var listen = "127.0.0.1"

  @Option(help: ArgumentHelp("Listen port.", valueName: "port")) var port = 7371

  @Flag(help: "Check the configuration file, say what it configures, and exit (0 when it can be used).")
  var checkConfig = false

  func validate() throws {
    guard (1...65535).contains(port) else { throw ValidationError("--port must be from 1 to 65535") }
  }

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
    let credentials = configuration.api.credentials
    var tokens: [String] = []
    if credentials.isEmpty {
      // As pvcapi: the token kept in the token file (generated if there is none yet).
      tokens = [try TokenFile.loadOrCreate(at: configuration.api.tokenFile)]
      FileHandle.standardError.write(
        Data("pvcweb: no api.token in \(config): log in with the token in \(configuration.api.tokenFile)\n".utf8))
    }
    let cluster = try await PVCCluster.connect(
      configuration.zookeeperConnection(hosts: zookeeper), policy: configuration.vmPolicy,
      ceph: configuration.cephAccess, database: configuration.dnsDatabaseSettings,
      provisionerDatabase: configuration.provisionerDatabaseSettings, libvirt: configuration.nodeLibvirtAccess)
    let api = configuration.api
    var settings = WebServer.Settings(
      address: listen, port: port, tokens: tokens, certificateFile: api.sslEnabled ? api.certificate : nil,
      privateKeyFile: api.sslEnabled ? api.privateKey : nil)
    settings.credentials = credentials
    settings.clusterName = configuration.cluster.name.isEmpty ? "local" : configuration.cluster.name
    settings.otherClusters = configuration.otherClusters
    FileHandle.standardError.write(
      Data("pvcweb: serving \(api.sslEnabled ? "https" : "http")://\(listen):\(port)/\n".utf8))
    do {
      try await WebServer(cluster: cluster, settings: settings).run()
    } catch {
      await cluster.close()
      FileHandle.standardError.write(Data("pvcweb: \(error)\n".utf8))
      throw ExitCode.failure
    }
    await cluster.close()
  }
}
