import Foundation

/// The node daemon's work, wired together: registration, the keepalive, the VM
/// reconciler and the console log copier. `pvcd` runs this.
public struct NodeDaemon: Sendable {
  /// How the daemon behaves.
  public struct Settings: Sendable {
    public var keepaliveInterval: Duration
    public var shutdownTimeout: Duration
    public var consoleLogLines: Int
    /// Set the node `ready` at start (upstream's `pvcautoready`).
    public var autoReady: Bool
    public var ipmi: (hostname: String, username: String, password: String)

    /// Creates settings.
    public init(
      keepaliveInterval: Duration, shutdownTimeout: Duration, consoleLogLines: Int, autoReady: Bool,
      ipmi: (hostname: String, username: String, password: String)
    ) {
      self.keepaliveInterval = keepaliveInterval
      self.shutdownTimeout = shutdownTimeout
      self.consoleLogLines = consoleLogLines
      self.autoReady = autoReady
      self.ipmi = ipmi
    }

    /// Settings from the cluster configuration.
    public static func from(_ configuration: PVCConfiguration, node: String, autoReady: Bool) -> Settings {
      Settings(
        keepaliveInterval: .seconds(configuration.timers.keepaliveInterval),
        shutdownTimeout: .seconds(configuration.timers.vmShutdownTimeout),
        consoleLogLines: configuration.logging.consoleLogLines, autoReady: autoReady,
        ipmi: (
          configuration.fencing.ipmiHostname.replacingOccurrences(
            of: "{node_id}", with: String(NodeIdentity.id(of: node))),
          configuration.fencing.ipmiUsername, configuration.fencing.ipmiPassword
        ))
    }
  }

  public let zookeeper: ZooKeeper
  public let libvirt: LibvirtConnection
  public let identity: NodeIdentity
  public let settings: Settings
  public let log: @Sendable (String) -> Void

  /// Creates the daemon's work over open connections.
  public init(
    zookeeper: ZooKeeper, libvirt: LibvirtConnection, identity: NodeIdentity, settings: Settings,
    log: @escaping @Sendable (String) -> Void
  ) {
    self.zookeeper = zookeeper
    self.libvirt = libvirt
    self.identity = identity
    self.settings = settings
    self.log = log
  }

  /// Registers the node and runs until the task is cancelled, then marks the
  /// node stopped (its VMs keep running).
  public func run() async throws {
    try await NodeRegistration(zookeeper: zookeeper, identity: identity, ipmi: settings.ipmi)
      .register(ready: settings.autoReady)
    log("node \(identity.name) registered (\(identity.isCoordinator ? "coordinator" : "hypervisor"))")
    let view = NodeView()
    let reconciler = VMReconciler(
      zookeeper: zookeeper, libvirt: libvirt, identity: identity, view: view,
      shutdownTimeout: settings.shutdownTimeout, log: log)
    let keepalive = Keepalive(zookeeper: zookeeper, libvirt: libvirt, identity: identity, view: view)
    let consoles = ConsoleLogs(
      zookeeper: zookeeper, libvirt: libvirt, directory: identity.consoleLogDirectory, lines: settings.consoleLogLines)

    await withTaskGroup(of: Void.self) { group in
      group.addTask { await reconciler.run() }
      group.addTask { await consoles.run() }
      group.addTask {
        while !Task.isCancelled {
          do {
            try await keepalive.beat()
            // Look again at what runs here, so that nothing is missed.
            for uuid in (try? await libvirt.activeDomains().map(\.uuid)) ?? [] { reconciler.poke(uuid) }
            for uuid in await view.assigned.keys { reconciler.poke(uuid) }
          } catch {
            log("keepalive failed: \(error)")
          }
          try? await Task.sleep(for: settings.keepaliveInterval)
        }
      }
      await group.waitForAll()
    }
    _ = try? await zookeeper.set(try Layout.node(identity.name).path(.daemonState), NodeDaemonState.stop.rawValue)
    log("node \(identity.name) stopped")
  }
}
