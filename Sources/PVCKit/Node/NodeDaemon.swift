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
    /// How nodes are fenced (dead-node detection, IPMI, self-fencing).
    public var fencePolicy: FencePolicy
    /// The watchdog device pvcd feeds, if any.
    public var watchdogDevice: String?
    /// Time between cluster fault checks (primary only).
    public var monitoringInterval: Duration = .seconds(15)
    /// The cluster's default migration target selector, published by the primary.
    public var targetSelector = "mem"
    /// The floating addresses the primary holds: address, prefix length, device.
    public var floatingAddresses: [(address: IPv4Address, prefixLength: Int, device: String)] = []
    /// How many VMs a flush or unflush moves at once.
    public var flushWindow = 4
    /// How long a graceful stop waits for another coordinator to take the primary role.
    public var handoverTimeout: Duration = .seconds(30)
    /// More duties of the primary coordinator, started after the built-in ones (such as the HTTP API).
    public var additionalPrimaryDuties: [any PrimaryDuty] = []
    /// How many recent log lines are published to ZooKeeper (0: none).
    public var nodeLogLines = 2000
    /// Which VM definitions this node starts.
    public var policy = DomainPolicy.strict

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
      fencePolicy = FencePolicy(interval: keepaliveInterval, fenceIntervals: 6)
    }

    /// Settings from the cluster configuration.
    public static func from(_ configuration: PVCConfiguration, node: String, autoReady: Bool) -> Settings {
      var settings = Settings(
        keepaliveInterval: .seconds(configuration.timers.keepaliveInterval),
        shutdownTimeout: .seconds(configuration.timers.vmShutdownTimeout),
        consoleLogLines: configuration.logging.consoleLogLines, autoReady: autoReady,
        ipmi: (
          configuration.fencing.ipmiHostname.replacingOccurrences(
            of: "{node_id}", with: String(NodeIdentity.id(of: node))),
          configuration.fencing.ipmiUsername, configuration.fencing.ipmiPassword
        ))
      settings.fencePolicy = FencePolicy.from(configuration)
      settings.watchdogDevice = configuration.fencing.watchdog?.device
      settings.monitoringInterval = .seconds(configuration.timers.monitoringInterval)
      settings.targetSelector = configuration.targetSelector.rawValue
      settings.nodeLogLines = configuration.logging.zookeeperLogging ? configuration.logging.nodeLogLines : 0
      settings.policy = configuration.vmPolicy
      let networks = [
        ("upstream", configuration.cluster.upstream), ("cluster", configuration.cluster.cluster),
        ("storage", configuration.cluster.storage),
      ]
      settings.floatingAddresses = networks.map { name, network in
        // Upstream puts floating addresses on its bridges (brupstream...); without one, on the device.
        (network.floatingAddress, network.netmask, NetworkDevice.exists("br\(name)") ? "br\(name)" : network.device)
      }
      return settings
    }
  }

  public let zookeeper: ZooKeeper
  public let libvirt: LibvirtConnection
  public let identity: NodeIdentity
  public let settings: Settings
  public let log: @Sendable (String) -> Void
  let nodeLog: NodeLog

  /// Creates the daemon's work over open connections.
  public init(
    zookeeper: ZooKeeper, libvirt: LibvirtConnection, identity: NodeIdentity, settings: Settings,
    log: @escaping @Sendable (String) -> Void
  ) {
    self.zookeeper = zookeeper
    self.libvirt = libvirt
    self.identity = identity
    self.settings = settings
    let nodeLog = NodeLog(capacity: settings.nodeLogLines)
    self.nodeLog = nodeLog
    self.log = { message in
      log(message)
      nodeLog.append(message)
    }
  }

  /// Registers the node and runs until the task is cancelled, then marks the
  /// node stopped (its VMs keep running).
  public func run() async throws {
    try await run(until: { try? await Task.sleep(for: .seconds(1_000_000_000)) })
  }

  /// Registers the node and runs until `stop` returns (or the task is
  /// cancelled); then shuts down gracefully: `shutdown`, the primary role handed
  /// to another coordinator, `stop`. The node's VMs keep running.
  public func run(until stop: @escaping @Sendable () async -> Void) async throws {
    let watchdog: Watchdog?
    do {
      // The watchdog first: a node that cannot self-fence must not take VMs.
      watchdog = try settings.watchdogDevice.map { try Watchdog(path: $0) }
      try await NodeRegistration(zookeeper: zookeeper, identity: identity, ipmi: settings.ipmi)
        .register(ready: settings.autoReady)
      try await markAlive()
    } catch {
      await recordStartFailure(error)
      throw error
    }
    log("node \(identity.name) registered (\(identity.isCoordinator ? "coordinator" : "hypervisor"))")
    // A start that failed before is mended now.
    try? await DirectFaultOperations(zookeeper: zookeeper).delete(["NODE_START_FAILED_\(identity.name)"])
    let view = NodeView()
    let reconciler = VMReconciler(
      zookeeper: zookeeper, libvirt: libvirt, identity: identity, view: view,
      shutdownTimeout: settings.shutdownTimeout, policy: settings.policy, log: log)
    let keepalive = Keepalive(zookeeper: zookeeper, libvirt: libvirt, identity: identity, view: view)
    let consoles = ConsoleLogs(
      zookeeper: zookeeper, libvirt: libvirt, directory: identity.consoleLogDirectory, lines: settings.consoleLogLines)
    let domainStates = DomainStateWorker(
      zookeeper: zookeeper, identity: identity, window: settings.flushWindow, timeout: .seconds(120), log: log)
    let tasks = TaskWorker(zookeeper: zookeeper, identity: identity, log: log)
    let guardian = SelfFenceGuard(
      zookeeper: zookeeper, libvirt: libvirt, policy: settings.fencePolicy, watchdog: watchdog, log: log)
    let agent =
      identity.isCoordinator
      ? PrimaryAgent(
        zookeeper: zookeeper, identity: identity, interval: settings.keepaliveInterval, duties: primaryDuties(),
        log: log) : nil

    await withTaskGroup(of: Void.self) { group in
      group.addTask { await reconciler.run() }
      group.addTask { await consoles.run() }
      group.addTask { await domainStates.run() }
      group.addTask { await tasks.run() }
      group.addTask { await guardian.run() }
      if let agent { group.addTask { await agent.run() } }
      group.addTask {
        while !Task.isCancelled {
          do {
            await nodeLog.publish(to: self.zookeeper, node: identity.name)
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
      await stop()
      log("node \(identity.name) shutting down")
      // Every step is bounded: a node cut from ZooKeeper must still stop.
      let zookeeper = self.zookeeper
      let node = try? Layout.node(identity.name)
      _ = await withTimeout(settings.keepaliveInterval * 2) {
        if let node { try await zookeeper.set(node.path(.daemonState), NodeDaemonState.shutdown.rawValue) }
      }
      if let agent {
        let handover = settings.handoverTimeout
        _ = await withTimeout(handover + .seconds(5)) { await agent.resign(timeout: handover) }
      }
      group.cancelAll()
    }
    let zookeeper = self.zookeeper
    let name = identity.name
    _ = await withTimeout(settings.keepaliveInterval * 2) {
      try await zookeeper.set(try Layout.node(name).path(.daemonState), NodeDaemonState.stop.rawValue)
      try await zookeeper.delete(try Layout.liveness(name))
    }
    log("node \(identity.name) stopped")
  }

  /// Leaves the node saying that its daemon could not start: daemon state
  /// `stop` (not `init` forever), a fault `NODE_START_FAILED_<node>` with the
  /// reason, and the reason in the node's log. Best effort, bounded in time.
  private func recordStartFailure(_ error: any Error) async {
    let message = "pvcd on node \(identity.name) could not start: \(error)"
    log(message)
    let zookeeper = self.zookeeper
    let name = identity.name
    let nodeLog = self.nodeLog
    _ = await withTimeout(.seconds(10)) {
      let node = try Layout.node(name)
      if try await zookeeper.exists(node.path(.daemonState)) != nil {
        try await zookeeper.set(node.path(.daemonState), NodeDaemonState.stop.rawValue)
      }
      try await DirectFaultOperations(zookeeper: zookeeper).report([
        FaultReport(id: "NODE_START_FAILED_\(name)", healthDelta: FaultChecks.deadNodeDelta, message: message)
      ])
      await nodeLog.publish(to: zookeeper, node: name)
    }
  }

  /// Creates this node's liveness marker (replacing one left by an earlier session of this node).
  private func markAlive() async throws {
    let marker = try Layout.liveness(identity.name)
    try await zookeeper.ensurePath(Layout.livenessRoot)
    if let stale = try await zookeeper.exists(marker), stale.ephemeralOwner != zookeeper.sessionID {
      try? await zookeeper.delete(marker)
    }
    do {
      _ = try await zookeeper.create(marker, identity.name, mode: .ephemeral)
    } catch let error as ZooKeeperError where error.code == .nodeExists {}
  }

  /// The services the primary coordinator runs.
  func primaryDuties() -> [any PrimaryDuty] {
    var duties: [any PrimaryDuty] = []
    let zookeeper = self.zookeeper
    let selector = settings.targetSelector
    let upstream = settings.floatingAddresses.first.map { "\($0.address)" } ?? ""
    duties.append(
      LoopDuty(name: "cluster settings") {
        _ = try? await zookeeper.multi([
          .set(Layout.base.path(.migrationTargetSelector), selector), .set(Layout.base.path(.upstreamIP), upstream),
        ])
      })
    for floating in settings.floatingAddresses {
      do {
        duties.append(
          try FloatingAddressDuty(
            address: floating.address, prefixLength: floating.prefixLength, device: floating.device))
      } catch {
        log("floating address \(floating.address) is not used: \(error)")
      }
    }
    let fencer = FenceMonitor(zookeeper: zookeeper, identity: identity, policy: settings.fencePolicy, log: log)
    duties.append(LoopDuty(name: "fencing") { await fencer.run() })
    let faults = FaultMonitor(zookeeper: zookeeper, interval: settings.monitoringInterval, log: log)
    duties.append(LoopDuty(name: "fault checks") { await faults.run() })
    return duties + settings.additionalPrimaryDuties
  }
}
