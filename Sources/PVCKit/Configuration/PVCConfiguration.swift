import Foundation
import Yams

/// The cluster configuration file, `/etc/pvc/pvc.conf`, in upstream PVC's YAML layout.
///
/// Every key upstream requires is required here too, and every value is
/// checked: a wrong or missing key gives a ``ConfigurationError`` naming the key
/// and the file. Sections PVCKit does not use (`database.keydb`,
/// `database.postgres`) may be present or not.
/// PVCKit adds one optional key, `database.zookeeper.hosts`, a list of
/// `host:port` entries used instead of the coordinators' names.
public struct PVCConfiguration: Sendable, Hashable {
  /// The default location of the file.
  public static let defaultPath = "/etc/pvc/pvc.conf"

  /// The file this configuration was read from.
  public var file: String
  public var paths: Paths
  public var subsystems: Subsystems
  public var cluster: Cluster
  public var zookeeper: ZooKeeperSettings
  public var timers: Timers
  public var fencing: Fencing
  /// The default migration target selector.
  public var targetSelector: TargetSelector
  /// How many VMs a flush or unflush moves at once (extension
  /// `migration.flush_window`, 1-64, default 4; upstream moves one at a time).
  public var flushWindow: Int
  public var logging: Logging
  public var guestNetworking: GuestNetworking
  public var ceph: Ceph
  /// The DNS database (extension `database.mariadb`; `nil` when absent: no DNS service).
  public var dnsDatabase: DNSDatabase?
  /// PowerDNS on the primary (extension `powerdns`).
  public var powerDNS: PowerDNS
  /// The port of the primary's cloud-init metadata service on 169.254.169.254 (PVCKit's `metadata.listen_port`,
  /// default 80, upstream's).
  public var metadataPort = 80
  public var api: API
  /// Which VM definitions the cluster accepts (extension `vm_policy.allow_host_access`, default no).
  public var vmPolicy: DomainPolicy
  /// Automatic backups (`autobackup`; `nil` when absent or empty: none).
  public var autobackup: Autobackup?
  /// Automatic mirrors to other clusters (`automirror`; `nil` when absent or empty: none).
  public var automirror: Automirror?
  /// Other clusters pvcweb shows beside this one (extension `web.clusters`; empty when absent).
  public var otherClusters: [OtherCluster] = []

  /// Another cluster shown in the same pvcweb (`web.clusters[]`: `name`, `address` and, for an API, `key`).
  public struct OtherCluster: Sendable, Hashable {
    /// How it is named in the web UI (letters, digits, `.`, `_`, `-`; at most 64).
    public var name: String
    /// An `http(s)://` API address, or a ZooKeeper connect string.
    public var address: String
    /// The API key, for an API.
    public var key: String?

    /// Names another cluster.
    public init(name: String, address: String, key: String?) {
      self.name = name
      self.address = address
      self.key = key
    }

    /// How to reach it.
    public var connection: ClusterConnection { .from(address: address, key: key) }
  }

  /// Directories PVC uses (`path`).
  public struct Paths: Sendable, Hashable {
    public var pluginDirectory: String
    public var dynamicDirectory: String
    public var systemLogDirectory: String
    public var consoleLogDirectory: String
    public var cephDirectory: String
  }

  /// Which parts of PVC run (`subsystem`).
  public struct Subsystems: Sendable, Hashable {
    public var hypervisor: Bool
    public var networking: Bool
    public var storage: Bool
    public var worker: Bool
    public var api: Bool
    public var prometheus: Bool
  }

  /// The cluster's identity and core networks (`cluster`).
  public struct Cluster: Sendable, Hashable {
    public var name: String
    public var allNodes: [String]
    public var coordinatorNodes: [String]
    public var upstream: CoreNetwork
    public var cluster: CoreNetwork
    public var storage: CoreNetwork
  }

  /// One of the upstream, cluster and storage networks.
  public struct CoreNetwork: Sendable, Hashable {
    public var domain: String
    public var device: String
    public var mtu: Int
    public var networkAddress: IPv4Address
    public var netmask: Int
    public var floatingAddress: IPv4Address
    public var gatewayAddress: IPv4Address?
    public var nodeIPSelection: NodeIPSelection
  }

  /// How a node's address in a core network is chosen.
  public enum NodeIPSelection: Sendable, Hashable {
    /// Node N (from the digits in its host name) gets the network's Nth host address.
    case byID
    /// A fixed address.
    case fixed(IPv4Address)
  }

  /// Where the ZooKeeper ensemble is (`database.zookeeper`).
  public struct ZooKeeperSettings: Sendable, Hashable {
    public var port: Int
    /// Explicit `host:port` entries (PVCKit extension); empty means the coordinators at ``port``.
    public var hosts: [String]
    /// The members' identity for ZooKeeper ACLs (PVCKit extension `auth: {username, password}`);
    /// `nil` (the default, as upstream) leaves every node open.
    public var credentials: ZooKeeperCredentials?
  }

  /// How to reach the cluster directly, with this file's ensemble and credentials.
  public func zookeeperConnection(hosts override: String? = nil, sessionTimeout: Duration = .seconds(10))
    -> ClusterConnection
  {
    .zookeeper(hosts: override ?? zookeeperHosts, sessionTimeout: sessionTimeout, credentials: zookeeper.credentials)
  }

  /// How this host reaches the nodes' libvirt daemons (live migrations, consoles): over the cluster network at
  /// the address each node's id selects (`qemu+tcp://<address>/system`).
  public var nodeLibvirtAccess: NodeLibvirtAccess { NodeLibvirtAccess(clusterNetwork: cluster.cluster) }

  /// How this host reaches Ceph: `ceph.ceph_config_file` (relative to `path.ceph_directory`), when
  /// `subsystem.enable_storage` is on.
  public var cephAccess: CephAccess? {
    guard subsystems.storage else { return nil }
    let file = ceph.configFile
    return CephAccess(configurationFile: file.hasPrefix("/") ? file : paths.cephDirectory + "/" + file)
  }

  /// How this host's QEMU reaches Ceph for RBD disks (`ceph`: monitors with `monitor_port`, `secret_uuid`, the
  /// user of `ceph_keyring_file`), when `subsystem.enable_storage` is on.
  public var rbdClient: RBDClientSettings? {
    guard subsystems.storage else { return nil }
    let file = ceph.keyringFile
    let keyring = file.isEmpty ? nil : (file.hasPrefix("/") ? file : paths.cephDirectory + "/" + file)
    let text = keyring.flatMap { try? String(contentsOfFile: $0, encoding: .utf8) }
    return RBDClientSettings(
      monitors: ceph.monitorHosts.map { $0.contains(":") ? $0 : "\($0):\(ceph.monitorPort)" },
      secretUUID: ceph.secretUUID.isEmpty ? nil : ceph.secretUUID,
      user: text.flatMap(RBDClientSettings.user(inKeyring:)) ?? "admin", keyringFile: keyring)
  }

  /// Intervals (`timer`), in seconds.
  public struct Timers: Sendable, Hashable {
    public var vmShutdownTimeout: Int
    public var keepaliveInterval: Int
    public var monitoringInterval: Int
  }

  /// What to do after fencing.
  public enum FenceAction: String, Sendable, Hashable, CaseIterable {
    case migrate
    case none
  }

  /// Fencing (`fencing`).
  public struct Fencing: Sendable, Hashable {
    public var disableOnIPMIFailure: Bool
    /// Missed keepalives before a node is declared dead.
    public var fenceIntervals: Int
    /// Keepalives without ZooKeeper after which a node stops its own VMs (0: never).
    public var suicideIntervals: Int
    /// Keepalive intervals a dead node gets to come back before it is power-cycled
    /// (extension `fencing.intervals.saving_throws`; upstream always waits 6).
    public var savingThrows: Int
    public var successfulFence: FenceAction
    public var failedFence: FenceAction
    /// The IPMI host name; `{node_id}` is replaced by the node's number.
    public var ipmiHostname: String
    public var ipmiUsername: String
    public var ipmiPassword: String
    /// The node's hardware watchdog (extension `fencing.watchdog`), if one is used.
    public var watchdog: Watchdog?
  }

  /// A hardware watchdog that resets the node when pvcd stops feeding it
  /// (extension `fencing.watchdog`: `device`, `timeout` in seconds).
  public struct Watchdog: Sendable, Hashable {
    /// The device pvcd feeds, such as `/dev/watchdog`.
    public var device: String
    /// Seconds without feeding after which the watchdog resets the node.
    public var timeout: Int
  }

  /// How migration targets are chosen by default.
  public enum TargetSelector: String, Sendable, Hashable, CaseIterable {
    case mem, memprov, load, vcpus, vms
  }

  /// Logging (`logging`).
  public struct Logging: Sendable, Hashable {
    public var debug: Bool
    public var fileLogging: Bool
    public var stdoutLogging: Bool
    public var zookeeperLogging: Bool
    public var colours: Bool
    public var dates: Bool
    public var keepalives: Bool
    public var clusterDetails: Bool
    public var monitoringDetails: Bool
    public var consoleLogLines: Int
    public var nodeLogLines: Int
  }

  /// Guest networking (`guest_networking`).
  public struct GuestNetworking: Sendable, Hashable {
    public var bridgeDevice: String
    public var bridgeMTU: Int
    public var sriovEnabled: Bool
    public var sriovDevices: [SRIOVDevice]
    /// The autonomous system of the nodes' BGP EVPN sessions (PVCKit extension `bgp_asn`, default 65500;
    /// upstream leaves FRR's configuration to its Ansible roles).
    public var bgpASN: Int
  }

  /// An SR-IOV physical function to configure.
  public struct SRIOVDevice: Sendable, Hashable {
    public var device: String
    public var mtu: Int
    public var vfCount: Int
  }

  /// Ceph client settings (`ceph`).
  public struct Ceph: Sendable, Hashable {
    public var configFile: String
    public var keyringFile: String
    public var monitorPort: Int
    public var secretUUID: String
    public var monitorHosts: [String]
    /// Ceph's cluster name for this host's OSD paths (`/var/lib/ceph/osd/<cluster>-<id>`; extension
    /// `ceph_cluster`, default `ceph` as upstream).
    public var cluster: String
  }

  /// The HTTP API (`api`).
  public struct API: Sendable, Hashable {
    public var listenAddress: String
    public var listenPort: Int
    /// `api.authentication.enabled`: on unless switched off (then the API listens on loopback only).
    public var authenticationEnabled: Bool
    public var secretKey: String
    public var tokens: [Token]
    /// Where `pvcapi` and `pvcweb` keep the token they generate when none is configured
    /// (extension `api.authentication.token_file`; readable by root only).
    public var tokenFile: String
    /// The default ``tokenFile``.
    public static let defaultTokenFile = "/var/lib/pvc/api-token"
    public var sslEnabled: Bool
    public var certificate: String
    public var privateKey: String

    /// The tokens as credentials: each named by its description (or its place), with its role.
    public var credentials: [APICredential] {
      tokens.enumerated().filter { !$0.element.token.isEmpty }.map { index, entry in
        APICredential(
          token: entry.token, name: entry.description.isEmpty ? "token \(index + 1)" : entry.description,
          role: entry.role)
      }
    }
  }

  /// An API token.
  public struct Token: Sendable, Hashable {
    public var description: String
    public var token: String
    /// What it may do (`role`, a PVCKit extension; upstream's tokens are administrators).
    public var role: AccessRole = .administrator
  }

  /// What this configuration sets up, in one line: the answer of the daemons' `--check-config`, which systemd's
  /// `ExecStartPre` and the packages' maintainer scripts run before starting them.
  public func summary(file: String) -> String {
    "\(file): cluster \(cluster.name), \(cluster.allNodes.count) nodes "
      + "(coordinators \(cluster.coordinatorNodes.joined(separator: ", "))), ZooKeeper \(zookeeperHosts)"
  }

  /// The ZooKeeper connect string: the explicit hosts, or every coordinator at the configured port.
  public var zookeeperHosts: String {
    zookeeper.hosts.isEmpty
      ? cluster.coordinatorNodes.map { "\($0):\(zookeeper.port)" }.joined(separator: ",")
      : zookeeper.hosts.joined(separator: ",")
  }

  /// Reads and checks a configuration file.
  /// - Throws: ``ConfigurationError`` naming the file and key.
  public static func load(from file: String = defaultPath) throws -> PVCConfiguration {
    let text: String
    do {
      text = try String(contentsOfFile: file, encoding: .utf8)
    } catch {
      throw ConfigurationError(file: file, key: "", problem: "cannot read the file (\(Self.reason(error)))")
    }
    return try parse(text, file: file)
  }

  /// Parses configuration text; `file` is used in error messages.
  public static func parse(_ text: String, file: String) throws -> PVCConfiguration {
    let document: Any?
    do {
      document = try Yams.load(yaml: text)
    } catch {
      throw ConfigurationError(file: file, key: "", problem: "not valid YAML: \(error)")
    }
    if document == nil {
      // The packages' sample as shipped: every setting commented out.
      throw ConfigurationError(
        file: file, key: "",
        problem: "configures nothing yet (every line is a comment or blank): write the cluster's settings "
          + "(the sample's comments and Documentation/Install.md say how)")
    }
    guard let root = document as? [String: Any] else {
      throw ConfigurationError(file: file, key: "", problem: "expected a YAML mapping at the top level")
    }
    return try PVCConfiguration(ConfigurationReader(file: file, path: "", node: root))
  }

  private static func reason(_ error: any Error) -> String {
    let nsError = error as NSError
    if let underlying = nsError.userInfo[NSUnderlyingErrorKey] as? NSError,
      let message = strerror(Int32(underlying.code)).map({ String(cString: $0) })
    {
      return message
    }
    return nsError.localizedDescription
  }
}
