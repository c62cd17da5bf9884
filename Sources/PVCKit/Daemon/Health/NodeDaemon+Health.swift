import Foundation

/// What a node's health plugins check, from pvc.conf.
struct HealthSettings: Sendable {
  /// `path.plugin_directory`: administrators' executable plugins.
  var pluginDirectory: String?
  /// The network devices the `nics` plugin watches.
  var devices: [String] = []
  /// The ZooKeeper servers, `host:port`.
  var zookeeperServers: [String] = []
  /// The Galera members the cluster's databases use.
  var database: MariaDBConnection.Settings?
  /// Whether each result is logged (`logging.log_monitoring_details`).
  var logDetails = false
}

extension NodeDaemon {
  /// The node's built-in health plugins: those for what this node runs.
  func healthPlugins(storage: NodeStorage?) -> [any HealthPlugin] {
    let health = settings.health
    let (zookeeper, node) = (self.zookeeper, identity.name)
    var plugins: [any HealthPlugin] = [
      LoadHealthPlugin(), MemoryHealthPlugin(), DiskHealthPlugin(), LibvirtHealthPlugin(libvirt: libvirt),
      ZooKeeperHealthPlugin(zookeeper: zookeeper, servers: health.zookeeperServers),
      DaemonHealthPlugin(zookeeper: zookeeper, node: node, keepaliveInterval: settings.keepaliveInterval),
    ]
    if !health.devices.isEmpty { plugins.append(NICHealthPlugin(devices: health.devices)) }
    if !settings.ipmi.hostname.isEmpty,
      let client = try? IPMIClient(
        hostname: settings.ipmi.hostname, username: settings.ipmi.username, password: settings.ipmi.password)
    {
      plugins.append(IPMIHealthPlugin(client: client))
    }
    if let storage { plugins.append(CephHealthPlugin(ceph: storage.ceph)) }
    if let database = health.database { plugins.append(GaleraHealthPlugin(settings: database)) }
    if let evpn = settings.evpn { plugins.append(FRRHealthPlugin(plan: evpn)) }
    if identity.isCoordinator, settings.networkLinks != nil {
      let directory = settings.runtimeDirectory + "/dnsmasq"
      plugins.append(
        PrimaryServerHealthPlugin(name: "dnsmasq", zookeeper: zookeeper, node: node) {
          let networks = (try? await NetworkRecords(zookeeper: zookeeper).all()) ?? []
          return networks.filter(DnsmasqPlan.serves).map { network in
            ("network \(network.vni)", DnsmasqPlan.Paths(directory: "\(directory)/\(network.vni)").daemon)
          }
        })
    }
    if identity.isCoordinator, let dns = settings.dns {
      let server = PowerDNSServer(directory: dns.directory)
      plugins.append(
        PrimaryServerHealthPlugin(name: "powerdns", zookeeper: zookeeper, node: node) { [("DNS", server.daemon)] })
    }
    return plugins
  }
}
