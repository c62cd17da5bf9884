import ArgumentParser
import Foundation
import PVCKit

/// How a command reaches the cluster; included by every command that needs it.
struct ConnectionOptions: ParsableArguments {
  @Option(
    name: .customLong("zookeeper"),
    help: ArgumentHelp(
      "ZooKeeper ensemble to connect to, as host:port[,host:port...][/chroot].",
      discussion: "Overrides PVC_ZOOKEEPER and the configuration file.", valueName: "hosts"))
  var zookeeper: String?

  @Option(
    name: .customLong("config"),
    help: ArgumentHelp("Cluster configuration file to find the ensemble in.", valueName: "file"))
  var config: String?

  /// The ensemble to use: the option, then PVC_ZOOKEEPER, then the configuration file.
  func hosts() throws -> String {
    let environment = ProcessInfo.processInfo.environment
    if let zookeeper, !zookeeper.isEmpty { return zookeeper }
    if let hosts = environment["PVC_ZOOKEEPER"], !hosts.isEmpty { return hosts }
    let file = config ?? environment["PVC_CONFIG_FILE"] ?? PVCConfiguration.defaultPath
    guard config != nil || environment["PVC_CONFIG_FILE"] != nil || FileManager.default.fileExists(atPath: file) else {
      throw CLIError(
        "no cluster to talk to: give --zookeeper HOSTS, set PVC_ZOOKEEPER, or provide \(file)")
    }
    return try PVCConfiguration.load(from: file).zookeeperHosts
  }

  /// Connects to the cluster.
  func connect() async throws -> PVCCluster {
    let hosts = try hosts()
    do {
      return try await PVCCluster.connect(.zookeeper(hosts: hosts, connectTimeout: .seconds(5)))
    } catch let error as ZooKeeperError where error.code == .notConnected {
      throw CLIError("cannot reach ZooKeeper at \(hosts): is the cluster up?")
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
      throw CLIError("\(question) Refusing without confirmation: pass --yes (or set PVC_UNSAFE=1).")
    }
    FileHandle.standardError.write(Data("\(question) [y/N] ".utf8))
    guard let answer = readLine(), ["y", "yes"].contains(answer.lowercased()) else {
      throw CLIError("aborted")
    }
  }
}
