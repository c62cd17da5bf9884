/// A `pvc.conf` for clusters of simulated nodes (network namespaces on one
/// machine, started by `Scripts/nodes.sh`), in upstream's layout: the cluster
/// network is the nodes' bridge network, so node N is `<net>.N`.
public enum SimulatedNodeConfiguration {
  /// The configuration text.
  /// - Parameters:
  ///   - nodeNet: the first three octets of the nodes' network (e.g. `10.78.0`).
  ///   - keepalive: seconds between heartbeats.
  ///   - shutdownTimeout: seconds before a VM shutdown is forced.
  ///   - fencing: the `fencing` section's values.
  ///   - api: where the primary coordinator serves the HTTP API (`nil`: the API is off).
  ///   - flushWindow: how many VMs a flush moves at once.
  ///   - networking: whether node daemons make client network links (off by default: test clusters share the
  ///     simulated nodes, and each would remove the links of the others' networks).
  ///   - ceph: the `ceph.conf` of a Ceph cluster for the storage subsystem (`nil`: storage off).
  ///   - dns: the DNS database and PowerDNS's port (`nil`: no `database.mariadb`, DNS off).
  ///   - allowHostAccess: whether VM definitions may reach the host (`vm_policy.allow_host_access`: a kernel to
  ///     boot from a host file, as the tests' tiny guests do).
  ///   - dynamicDirectory: where the daemons keep their servers' files (PowerDNS, dnsmasq, tasks): clusters that
  ///     run on the same nodes at once need their own, or one's PowerDNS replaces the other's.
  ///   - monitoringInterval: seconds between rounds of health plugins (and fault checks).
  ///   - pluginDirectory: administrators' executable health plugins (`nil`: upstream's default path).
  public static func text(
    nodeNet: String, nodes: Int = 3, keepalive: Int = 1, shutdownTimeout: Int = 3, fencing: Fencing = Fencing(),
    api: (address: String, port: Int, token: String)? = nil, flushWindow: Int = 4, networking: Bool = false,
    ceph: String? = nil, dns: DNS? = nil, allowHostAccess: Bool = false,
    dynamicDirectory: String = "/tmp/pvckit-dynamic", monitoringInterval: Int = 15, pluginDirectory: String? = nil
  ) -> String {
    let names = (1...nodes).map { "hv\($0)" }.joined(separator: ", ")
    let watchdog = fencing.watchdogDevice.map {
      "\n  watchdog: {device: \"\($0)\", timeout: \(fencing.watchdogTimeout)}"
    }
    return """
      path:
        dynamic_directory: "\(dynamicDirectory)"\(pluginDirectory.map { "\n  plugin_directory: \"\($0)\"" } ?? "")
        system_log_directory: "/tmp/pvckit-log"
        console_log_directory: "/var/log/libvirt"
        ceph_directory: "/etc/ceph"
      subsystem:
        enable_storage: \(ceph == nil ? "no" : "yes")
        enable_networking: \(networking ? "yes" : "no")
        enable_api: \(api == nil ? "no" : "yes")
      cluster:
        name: simulated
        all_nodes: [\(names)]
        coordinator_nodes: [\(names)]
        networks:
          upstream:
            domain: upstream.local
            device: hvnet0
            mtu: 1500
            ipv4: {netmask: 24, network_address: 10.79.0.0, floating_address: 10.79.0.250}
            node_ip_selection: by-id
          cluster:
            domain: cluster.local
            device: hvnet0
            mtu: 1500
            ipv4: {netmask: 24, network_address: \(nodeNet).0, floating_address: \(nodeNet).250}
            node_ip_selection: by-id
          storage:
            domain: storage.local
            device: hvnet0
            mtu: 1500
            ipv4: {netmask: 24, network_address: 10.79.2.0, floating_address: 10.79.2.250}
            node_ip_selection: by-id
      database:
        zookeeper:
          port: 2181\(dns.map { "\n" + $0.text } ?? "")
      timer:
        vm_shutdown_timeout: \(shutdownTimeout)
        keepalive_interval: \(keepalive)
        monitoring_interval: \(monitoringInterval)
      fencing:
        disable_on_ipmi_failure: no
        intervals: {fence_intervals: \(fencing.fenceIntervals), suicide_intervals: \(fencing.selfFenceIntervals), saving_throws: \(fencing.savingThrows)}
        actions: {successful_fence: migrate, failed_fence: \(fencing.failedFenceAction)}
        ipmi: {hostname: "\(fencing.ipmiHostname)", username: admin, password: \(fencing.ipmiPassword)}\(watchdog ?? "")
      migration:
        target_selector: mem
        flush_window: \(flushWindow)
      logging:
        console_log_lines: 100
      guest_networking:
        bridge_device: hvnet0
        bridge_mtu: 1500
      ceph:
        ceph_config_file: \(ceph ?? "ceph.conf")
        ceph_keyring_file: \(ceph.map { directory(of: $0) + "/ceph.client.admin.keyring" } ?? "ceph.client.admin.keyring")
        monitor_port: \(ceph == nil ? 6789 : 3300)
        monitor_hosts: [\(ceph == nil ? "" : "\(nodeNet).254")]
        secret_uuid: "\(ceph == nil ? "" : cephSecretUUID)"
      api:
        listen: {address: \(api?.address ?? "127.0.0.1"), port: \(api?.port ?? 7370)}
        authentication: {enabled: \(api == nil ? "no" : "yes")}\(api.map { "\n  token: [{description: test, token: \"\($0.token)\"}]" } ?? "")
        ssl: {enabled: no}
      vm_policy:
        allow_host_access: \(allowHostAccess ? "yes" : "no")
      """
  }

  /// The DNS database (`database.mariadb`) and PowerDNS's port (`powerdns`).
  public struct DNS: Sendable {
    /// `host:port` of the Galera members.
    public var hosts: [String]
    public var database: String
    public var username: String
    public var password: String
    /// The port PowerDNS answers on, on the primary's floating addresses.
    public var powerDNSPort: Int
    /// The port of the cloud-init metadata service on 169.254.169.254.
    public var metadataPort = 80

    public init(
      hosts: [String], database: String, username: String, password: String, powerDNSPort: Int, metadataPort: Int = 80
    ) {
      self.hosts = hosts
      self.database = database
      self.username = username
      self.password = password
      self.powerDNSPort = powerDNSPort
      self.metadataPort = metadataPort
    }

    /// The `database.mariadb` lines (indented below `database:`) and the `powerdns` section.
    var text: String {
      """
        mariadb:
          hosts: [\(hosts.map { "\"\($0)\"" }.joined(separator: ", "))]
          dns: {database: "\(database)", username: "\(username)", password: "\(password)"}
          api: {database: "\(database)", username: "\(username)", password: "\(password)"}
      powerdns:
        listen_port: \(powerDNSPort)
      metadata:
        listen_port: \(metadataPort)
      """
    }
  }

  /// The libvirt secret of the simulated nodes' Ceph client.
  public static let cephSecretUUID = "c3b5b0a2-7d1e-4a51-9f2c-5a1d0c9e7b31"

  /// The directory of a file path.
  static func directory(of path: String) -> String {
    guard let slash = path.lastIndex(of: "/") else { return "." }
    return String(path[..<slash])
  }

  /// Fencing settings of a simulated cluster.
  public struct Fencing: Sendable {
    public var fenceIntervals = 6
    public var savingThrows = 6
    public var selfFenceIntervals = 0
    public var failedFenceAction = "none"
    /// `{node_id}` is replaced by the node's number.
    public var ipmiHostname = "127.0.0.1"
    public var ipmiPassword = "secret"
    /// A file or device pvcd feeds as its watchdog (none by default).
    public var watchdogDevice: String?
    /// Seconds the cluster assumes the watchdog takes to reset a node.
    public var watchdogTimeout = 2

    public init() {}
  }
}
