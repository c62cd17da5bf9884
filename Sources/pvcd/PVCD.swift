import ArgumentParser
import Foundation
import PVCKit

/// `pvcd`: the PVC node daemon.
///
/// This release performs the node's startup steps against the cluster layout
/// (schema migration and repair, cluster name) and then holds its session until
/// stopped. Node duties (keepalive, VMs, fencing) arrive with later releases.
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

  @Flag(help: "Run the startup steps, then exit instead of staying in the foreground.")
  var once = false

  func run() async throws {
    do {
      let configuration = try PVCConfiguration.load(from: config)
      let hosts = zookeeper ?? configuration.zookeeperHosts
      let zk = try await ZooKeeper.connect(
        to: hosts, sessionTimeout: .seconds(configuration.timers.keepaliveInterval * 4))
      let outcome = try await NodeStartup(zookeeper: zk, clusterName: configuration.cluster.name).run()
      log(
        "schema version \(outcome.foundVersion)\(outcome.migrated ? " migrated to \(Layout.currentVersion)" : ""), \(outcome.repairedKeys.count) missing keys created"
      )
      if once {
        await zk.close()
        return
      }
      log("connected to \(hosts) as session \(String(zk.sessionID, radix: 16)); waiting for SIGTERM")
      await waitForTermination()
      log("stopping")
      await zk.close()
    } catch {
      FileHandle.standardError.write(Data("pvcd: \(error)\n".utf8))
      throw ExitCode.failure
    }
  }

  func log(_ message: String) {
    FileHandle.standardError.write(Data("pvcd: \(message)\n".utf8))
  }

  /// Returns when SIGTERM or SIGINT arrives.
  func waitForTermination() async {
    signal(SIGTERM, SIG_IGN)
    signal(SIGINT, SIG_IGN)
    let sources = [SIGTERM, SIGINT].map { DispatchSource.makeSignalSource(signal: $0, queue: .main) }
    await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
      let once = OnceFlag()
      for source in sources {
        source.setEventHandler { if once.set() { continuation.resume() } }
        source.resume()
      }
    }
    for source in sources { source.cancel() }
  }
}

/// Lets exactly one caller through.
final class OnceFlag: @unchecked Sendable {
  private let lock = NSLock()
  private var done = false
  func set() -> Bool {
    lock.lock()
    defer { lock.unlock() }
    if done { return false }
    done = true
    return true
  }
}
