import ArgumentParser
import Foundation
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

  func run() async throws {
    do {
      let configuration = try PVCConfiguration.load(from: config)
      let hosts = zookeeper ?? configuration.zookeeperHosts
      let zk = try await ZooKeeper.connect(
        to: hosts, sessionTimeout: .seconds(configuration.timers.keepaliveInterval * 4),
        credentials: configuration.zookeeper.credentials)
      let outcome = try await NodeStartup(zookeeper: zk, clusterName: configuration.cluster.name).run()
      log(
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
      var settings = NodeDaemon.Settings.from(configuration, node: name, autoReady: autoReady)
      if configuration.subsystems.api && identity.isCoordinator {
        // As upstream runs pvcapid: the primary coordinator serves the HTTP API.
        settings.additionalPrimaryDuties.append(
          APIDuty(
            connection: configuration.zookeeperConnection(hosts: hosts), policy: configuration.vmPolicy,
            settings: .from(configuration)))
      }
      let daemon = NodeDaemon(zookeeper: zk, libvirt: libvirt, identity: identity, settings: settings, log: log)
      try await daemon.run(until: {
        await waitForTermination()
        // A daemon that cannot finish its shutdown (say, stuck on an unreachable
        // service) still exits.
        Task.detached {
          try? await Task.sleep(for: .seconds(60))
          FileHandle.standardError.write(Data("pvcd: shutdown took too long; exiting\n".utf8))
          Foundation.exit(1)
        }
      })
      await libvirt.close()
      await zk.close()
    } catch {
      FileHandle.standardError.write(Data("pvcd: \(error)\n".utf8))
      throw ExitCode.failure
    }
  }

  func log(_ message: String) {
    let stamp = ISO8601DateFormatter().string(from: Date())
    FileHandle.standardError.write(Data("\(stamp) pvcd: \(message)\n".utf8))
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
