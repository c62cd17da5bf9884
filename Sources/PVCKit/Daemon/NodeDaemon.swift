import Foundation
public import Logging
import ServiceLifecycle

/// The node daemon's work, wired together: registration, then its workers as
/// one ServiceLifecycle service group (see ``services(watchdog:)`` for them and
/// their shutdown order). `pvcd` runs this.
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
    /// How long a graceful stop may take (a flush in progress finishing, the
    /// primary role handed over...) before what is left is cancelled.
    public var gracefulStopTimeout: Duration = .seconds(45)
    /// Where the node makes its client networks' links; `nil` (networking off) makes none.
    public var networkLinks: NetworkLinkSettings?
    /// Where the node keeps the files of the servers it runs (dnsmasq, FRR): upstream's
    /// `dynamic_directory`, one directory per node (simulated nodes share a file system).
    public var runtimeDirectory = "/run/pvc"
    /// The SR-IOV physical functions this node sets up and records at start (`sriov_enable`, `sriov_device`).
    public var sriovDevices: [PVCConfiguration.SRIOVDevice] = []
    /// The cluster's `ceph.conf` (`subsystem.enable_storage`): the primary keeps Ceph's statistics in ZooKeeper.
    public var cephConfigurationFile: String?
    /// How VMs' RBD disks reach Ceph from this node (`nil` with storage off).
    var storage: NodeStorage.Settings?
    /// This node's BGP EVPN (FRR) configuration; `nil` (networking off) runs no FRR.
    var evpn: FRRPlan?
    /// The DNS service the primary runs (PowerDNS and the aggregator); `nil` without `database.mariadb`.
    var dns: DNSDuty.Settings?
    /// The provisioner's database (`database.mariadb.api`), for the creates the primary carries out.
    var provisionerDatabase: MariaDBConnection.Settings?
    /// What the automatic backup and mirror tasks do (pvc.conf's `autobackup` and `automirror`).
    var automation = TaskAutomation()
    /// What the health plugins check (see ``HealthSettings``).
    var health = HealthSettings()

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

    /// Settings from the cluster configuration; `zookeeperHosts` is the ensemble the daemon connects to when not
    /// the configuration's (its health plugin checks those servers).
    public static func from(
      _ configuration: PVCConfiguration, node: String, autoReady: Bool, zookeeperHosts: String? = nil
    ) -> Settings {
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
      settings.flushWindow = configuration.flushWindow
      if configuration.subsystems.networking {
        settings.networkLinks = NetworkLinkSettings(
          clusterDevice: configuration.cluster.cluster.device, clusterMTU: configuration.cluster.cluster.mtu,
          bridgeDevice: configuration.guestNetworking.bridgeDevice, bridgeMTU: configuration.guestNetworking.bridgeMTU)
      }
      settings.runtimeDirectory = configuration.paths.dynamicDirectory + "/" + node
      if configuration.subsystems.networking {
        settings.evpn = FRRPlan.from(
          configuration, node: node, asn: configuration.guestNetworking.bgpASN,
          directory: settings.runtimeDirectory + "/frr")
        settings.networkLinks?.vtepAddress = settings.evpn?.address.description
        if configuration.guestNetworking.sriovEnabled {
          settings.sriovDevices = configuration.guestNetworking.sriovDevices
        }
      }
      settings.cephConfigurationFile = configuration.cephAccess?.configurationFile
      settings.automation = TaskAutomation(autobackup: configuration.autobackup, automirror: configuration.automirror)
      if let ceph = settings.cephConfigurationFile, let client = configuration.rbdClient {
        let networks = [configuration.cluster.cluster, configuration.cluster.storage, configuration.cluster.upstream]
        settings.storage = NodeStorage.Settings(
          cephConfigurationFile: ceph, client: client,
          addresses: { node in networks.compactMap { $0.address(of: node)?.description } },
          cluster: configuration.ceph.cluster, runtimeDirectory: settings.runtimeDirectory + "/ceph")
      }
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
      settings.provisionerDatabase = configuration.provisionerDatabaseSettings
      settings.health = HealthSettings(
        pluginDirectory: configuration.paths.pluginDirectory,
        devices: [
          configuration.cluster.upstream.device, configuration.cluster.cluster.device,
          configuration.cluster.storage.device,
        ] + (configuration.subsystems.networking ? [configuration.guestNetworking.bridgeDevice] : []),
        zookeeperServers: (zookeeperHosts ?? configuration.zookeeperHosts).split(separator: ",").map {
          String($0.split(separator: "/").first ?? $0)
        },
        database: configuration.dnsDatabaseSettings ?? configuration.provisionerDatabaseSettings,
        logDetails: configuration.logging.monitoringDetails)
      if let database = configuration.dnsDatabaseSettings {
        settings.dns = DNSDuty.Settings(
          database: database,
          addresses: [configuration.cluster.upstream, configuration.cluster.cluster].map { "\($0.floatingAddress)" },
          port: configuration.powerDNS.port, transferNetworks: configuration.powerDNS.transferNetworks,
          directory: settings.runtimeDirectory + "/pdns")
      }
      return settings
    }
  }

  public let zookeeper: ZooKeeper
  public let libvirt: LibvirtConnection
  public let identity: NodeIdentity
  public let settings: Settings
  /// The daemon's logger: `logger`'s handler, with the node's name as metadata,
  /// also feeding the node's recent lines published to ZooKeeper.
  public let logger: Logger
  let nodeLog: NodeLog

  /// Creates the daemon's work over open connections.
  public init(
    zookeeper: ZooKeeper, libvirt: LibvirtConnection, identity: NodeIdentity, settings: Settings, logger: Logger
  ) {
    self.zookeeper = zookeeper
    self.libvirt = libvirt
    self.identity = identity
    self.settings = settings
    let nodeLog = NodeLog(capacity: settings.nodeLogLines)
    self.nodeLog = nodeLog
    var daemonLogger = Logger(label: logger.label) { _ in
      MultiplexLogHandler([logger.handler, NodeLogHandler(nodeLog: nodeLog, logLevel: logger.logLevel)])
    }
    daemonLogger.logLevel = logger.logLevel
    daemonLogger[metadataKey: "node"] = .string(identity.name)
    self.logger = daemonLogger
  }

  /// Registers the node, runs its services until SIGTERM or SIGINT (or until
  /// the task is cancelled), stops them gracefully in the reverse of their
  /// order, then marks the node stopped. The node's VMs keep running.
  public func run() async throws {
    let watchdog: Watchdog?
    do {
      // The watchdog first: a node that cannot self-fence must not take VMs.
      if let device = settings.watchdogDevice {
        watchdog = try await Watchdog.open(
          path: device, stamp: settings.runtimeDirectory + "/watchdog.armed",
          timeout: settings.fencePolicy.watchdogTimeout ?? .seconds(10), interval: settings.keepaliveInterval,
          logger: logger)
      } else {
        watchdog = nil
      }
      try await NodeRegistration(zookeeper: zookeeper, identity: identity, ipmi: settings.ipmi)
        .register(ready: settings.autoReady)
      try await markAlive()
    } catch {
      await recordStartFailure(error)
      throw error
    }
    logger.info("node \(identity.name) registered (\(identity.isCoordinator ? "coordinator" : "hypervisor"))")
    if settings.networkLinks != nil {
      // Gateways and DHCP servers left by a run that did not stop (only the primary holds them, from its duty).
      await GatewayDuty(zookeeper: zookeeper, directory: settings.runtimeDirectory + "/dnsmasq", logger: logger)
        .clearLeftovers()
    }
    if !settings.sriovDevices.isEmpty {
      let found = SRIOVDiscovery().scan(settings.sriovDevices)
      for problem in found.problems { logger.warning("sriov: \(problem)") }
      do {
        try await SRIOVDiscovery.record(pfs: found.pfs, vfs: found.vfs, node: identity.name, zookeeper: zookeeper)
        logger.info("sriov: \(found.pfs.count) physical and \(found.vfs.count) virtual functions recorded")
      } catch {
        logger.warning("sriov: could not record the functions: \(error)")
      }
    }
    if let storage = settings.storage {
      await NodeStorage(settings: storage, zookeeper: zookeeper, node: identity.name, logger: logger)
        .defineSecret(in: libvirt)
    }
    // A start that failed before is mended now.
    try? await DirectFaultOperations(zookeeper: zookeeper).delete(["NODE_START_FAILED_\(identity.name)"])
    SystemdNotifier().ready(status: "node \(identity.name) registered")
    let group = ServiceGroup(configuration: groupConfiguration(services: services(watchdog: watchdog)))
    do {
      try await group.run()
    } catch {
      logger.error("services ended: \(error)")
    }
    let zookeeper = self.zookeeper
    let name = identity.name
    _ = await withTimeout(settings.keepaliveInterval * 2) {
      try await zookeeper.set(try Layout.node(name).path(.daemonState), NodeDaemonState.stop.rawValue)
      try await zookeeper.delete(try Layout.liveness(name))
    }
    logger.info("node \(identity.name) stopped")
  }

  /// The service group: stopped gracefully on SIGTERM or SIGINT, bounded in time.
  func groupConfiguration(services: [ServiceGroupConfiguration.ServiceConfiguration]) -> ServiceGroupConfiguration {
    var configuration = ServiceGroupConfiguration(
      services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
    configuration.maximumGracefulShutdownDuration = settings.gracefulStopTimeout
    configuration.maximumCancellationDuration = .seconds(10)
    return configuration
  }

  /// The daemon's services in start order. A graceful stop stops them in the
  /// reverse order, each after the one before has finished:
  ///
  /// 1. the announcement: daemon state `shutdown`;
  /// 2. the task worker (takes no more tasks);
  /// 3. the flush worker: a flush or unflush in progress starts no more moves,
  ///    lets those under way finish, and is otherwise handed back: the node's
  ///    domain state stays `flush`, and the next start carries on with it;
  /// 4. the primary agent: hands the primary role to another coordinator;
  /// 5. the console log copier, 6. the VM reconciler (so migrations in flight
  ///    end first), 7. the network link worker (with networking on), 8. the
  ///    self-fence guard, 9. the keepalive and log publisher (the node looks
  ///    alive until the very end).
  func services(watchdog: Watchdog?) -> [ServiceGroupConfiguration.ServiceConfiguration] {
    let view = NodeView()
    let (zookeeper, libvirt, identity, settings, logger) = (
      self.zookeeper, self.libvirt, self.identity, self.settings, self.logger
    )
    let storage = settings.storage.map {
      NodeStorage(settings: $0, zookeeper: zookeeper, node: identity.name, logger: logger)
    }
    let reconciler = VMReconciler(
      zookeeper: zookeeper, libvirt: libvirt, identity: identity, view: view,
      shutdownTimeout: settings.shutdownTimeout, policy: settings.policy, storage: storage, logger: logger)
    let keepalive = Keepalive(zookeeper: zookeeper, libvirt: libvirt, identity: identity, view: view)
    let consoles = ConsoleLogs(
      zookeeper: zookeeper, libvirt: libvirt, directory: identity.consoleLogDirectory, lines: settings.consoleLogLines)
    let domainStates = DomainStateWorker(
      zookeeper: zookeeper, identity: identity, window: settings.flushWindow, timeout: .seconds(120), logger: logger)
    var taskWorker = TaskWorker(
      zookeeper: zookeeper, identity: identity, logger: logger, storage: storage, libvirt: libvirt,
      provisioner: settings.provisionerDatabase.map { ProvisionerLink($0) },
      scratchDirectory: settings.runtimeDirectory + "/tasks", policy: settings.policy)
    taskWorker.automation = settings.automation
    let tasks = taskWorker
    let health = HealthRunner(
      zookeeper: zookeeper, node: identity.name, plugins: healthPlugins(storage: storage),
      pluginDirectory: settings.health.pluginDirectory, interval: settings.monitoringInterval, logger: logger,
      logDetails: settings.health.logDetails)
    let guardian = SelfFenceGuard(
      zookeeper: zookeeper, libvirt: libvirt, policy: settings.fencePolicy, watchdog: watchdog, logger: logger)
    let agent =
      identity.isCoordinator
      ? PrimaryAgent(
        zookeeper: zookeeper, identity: identity, interval: settings.keepaliveInterval, duties: primaryDuties(),
        logger: logger) : nil
    let nodeLog = self.nodeLog
    let notifier = SystemdNotifier()
    let beat = NodeService("keepalive") {
      while !Task.isCancelled {
        // systemd's watchdog sees the loop turn, whether or not ZooKeeper answers (that is the self-fence
        // guard's business): it catches a pvcd that hangs.
        notifier.watchdog()
        do {
          await nodeLog.publish(to: zookeeper, node: identity.name)
          try await keepalive.beat()
          // Look again at what runs here, so that nothing is missed.
          for uuid in (try? await libvirt.activeDomains().map(\.uuid)) ?? [] { reconciler.poke(uuid) }
          for uuid in await view.assigned.keys { reconciler.poke(uuid) }
        } catch {
          logger.warning("keepalive failed: \(error)")
        }
        try? await Task.sleep(for: settings.keepaliveInterval)
      }
    }
    var services: [any Service] = [
      beat, NodeService("self-fence guard") { await guardian.run() },
    ]
    if let evpn = settings.evpn {
      let frr = FRRWorker(plan: evpn, logger: logger)
      services.append(NodeService("FRR") { await frr.run() })
    }
    if let links = settings.networkLinks {
      // Before the reconciler, so that a VM's bridge exists when it starts.
      let worker = NetworkLinkWorker(zookeeper: zookeeper, settings: links, logger: logger)
      services.append(NodeService("network links") { await worker.run() })
      let firewall = FirewallWorker(zookeeper: zookeeper, logger: logger)
      services.append(NodeService("network firewall") { await firewall.run() })
    }
    if let storage {
      // OSDs before VMs: a VM's disk needs them. They keep running when pvcd stops (as systemd's would).
      services.append(NodeService("OSD daemons") { await storage.osds.run() })
    }
    services += [
      NodeService("VM reconciler") { await reconciler.run() }, NodeService("console logs") { await consoles.run() },
      NodeService("health plugins") { await health.run() },
    ]
    if let agent {
      let handover = settings.handoverTimeout
      services.append(
        NodeService("primary agent", body: { await agent.run() }) {
          _ = await withTimeout(handover + .seconds(5)) { await agent.resign(timeout: handover) }
        })
    }
    services += [
      NodeService("flush worker", handlesShutdown: true) { await domainStates.run() },
      NodeService("task worker") { await tasks.run() },
      StopStep(description: "stop announcement") {
        logger.info("node \(identity.name) shutting down")
        notifier.stopping()
        // Bounded: a node cut from ZooKeeper must still stop.
        _ = await withTimeout(settings.keepaliveInterval * 2) {
          try await zookeeper.set(try Layout.node(identity.name).path(.daemonState), NodeDaemonState.shutdown.rawValue)
        }
      },
    ]
    // A worker that ends early is logged, not fatal; the group ends on a stop or a cancellation.
    return services.map { .init(service: $0, successTerminationBehavior: .ignore, failureTerminationBehavior: .ignore) }
  }

  /// Leaves the node saying that its daemon could not start: daemon state
  /// `stop` (not `init` forever), a fault `NODE_START_FAILED_<node>` with the
  /// reason, and the reason in the node's log. Best effort, bounded in time.
  private func recordStartFailure(_ error: any Error) async {
    let message = "pvcd on node \(identity.name) could not start: \(error)"
    logger.error("\(message)")
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
        logger.warning("floating address \(floating.address) is not used: \(error)")
      }
    }
    if settings.networkLinks != nil {
      let gateways = GatewayDuty(
        zookeeper: zookeeper, directory: settings.runtimeDirectory + "/dnsmasq", logger: logger)
      duties.append(gateways.duty())
    }
    if let dns = settings.dns {
      duties.append(DNSDuty(zookeeper: zookeeper, settings: dns, logger: logger).duty())
    }
    if let ceph = settings.cephConfigurationFile {
      duties.append(
        CephStatsDuty(
          zookeeper: zookeeper, configurationFile: ceph, logger: logger, interval: settings.keepaliveInterval
        ).duty())
    }
    let fencer = FenceMonitor(zookeeper: zookeeper, identity: identity, policy: settings.fencePolicy, logger: logger)
    duties.append(LoopDuty(name: "fencing") { await fencer.run() })
    let faults = FaultMonitor(zookeeper: zookeeper, interval: settings.monitoringInterval, logger: logger)
    duties.append(LoopDuty(name: "fault checks") { await faults.run() })
    return duties + settings.additionalPrimaryDuties
  }
}
