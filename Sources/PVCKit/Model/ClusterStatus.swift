/// The state of the whole cluster, in the JSON shape of upstream's `GET /status`.
public struct ClusterStatus: Codable, Sendable, Hashable {
  /// The cluster's name (the data of `/config`).
  public var clusterName: String
  /// Health from the unacknowledged faults.
  public var clusterHealth: Health
  /// Each node's health from its health plugins.
  public var nodeHealth: [String: NodeHealth]
  /// Whether maintenance mode is on (fencing and fault reporting are suspended).
  public var maintenance: Bool
  /// The primary coordinator, or `nil` when none is primary.
  public var primaryNode: String?
  /// The software version of the primary node.
  public var pvcVersion: String
  /// The upstream floating address.
  public var upstreamIP: String
  /// Node count, total and by `daemon,domain` state.
  public var nodes: [String: Int]
  /// VM count, total and by state.
  public var vms: [String: Int]
  /// Number of client networks.
  public var networks: Int
  /// OSD count, total and by `up,in` state.
  public var osds: [String: Int]
  /// Number of pools.
  public var pools: Int
  /// Number of RBD volumes.
  public var volumes: Int
  /// Number of RBD snapshots.
  public var snapshots: Int
  /// Resource totals across nodes and storage.
  public var resources: Resources
  /// The per-object states behind the counts.
  public var detail: Detail

  /// Cluster health: 100 less the unacknowledged faults' deltas.
  public struct Health: Codable, Sendable, Hashable {
    /// 0 to 100.
    public var health: Int
    /// The faults lowering it, worst first.
    public var messages: [Message]

    /// A fault lowering the health.
    public struct Message: Codable, Sendable, Hashable {
      public var id: String
      public var healthDelta: Int
      public var text: String
      enum CodingKeys: String, CodingKey {
        case id, text
        case healthDelta = "health_delta"
      }
    }
  }

  /// A node's health: a number, or the raw text when the node reported none.
  public struct NodeHealth: Codable, Sendable, Hashable {
    /// 0 to 100, or `nil` when unknown.
    public var health: Int?
    /// The raw value when it is not a number (`None`, empty).
    public var healthText: String
    /// The plugins lowering it.
    public var messages: [String]

    public init(from decoder: any Decoder) throws {
      let container = try decoder.container(keyedBy: CodingKeys.self)
      messages = try container.decodeIfPresent([String].self, forKey: .messages) ?? []
      if let value = try? container.decode(Int.self, forKey: .health) {
        health = value
        healthText = String(value)
      } else {
        health = nil
        healthText = (try? container.decode(String.self, forKey: .health)) ?? ""
      }
    }

    public func encode(to encoder: any Encoder) throws {
      var container = encoder.container(keyedBy: CodingKeys.self)
      if let health {
        try container.encode(health, forKey: .health)
      } else {
        try container.encode(healthText, forKey: .health)
      }
      try container.encode(messages, forKey: .messages)
    }

    init(raw: String, messages: [String]) {
      health = Int(raw)
      healthText = raw
      self.messages = messages
    }

    enum CodingKeys: String, CodingKey { case health, messages }
  }

  /// Resource totals.
  public struct Resources: Codable, Sendable, Hashable {
    public var memory: Memory
    /// `cpu` in upstream's JSON.
    public var cpu: CPU
    public var disk: Disk

    /// Memory in MiB across nodes.
    public struct Memory: Codable, Sendable, Hashable {
      public var total: Int
      public var used: Int
      public var free: Int
      public var allocated: Int
      public var provisioned: Int
      /// Used as a percentage of total.
      public var utilization: Double
    }

    /// CPUs across nodes.
    public struct CPU: Codable, Sendable, Hashable {
      /// Physical CPU threads.
      public var total: Int
      /// Sum of the nodes' 1-minute load averages.
      public var load: Double
      /// vCPUs of running VMs.
      public var allocated: Int
      /// Load as a percentage of total.
      public var utilization: Double
    }

    /// Ceph raw storage in KiB.
    public struct Disk: Codable, Sendable, Hashable {
      public var total: Int
      public var used: Int
      public var free: Int
      /// Used as a percentage of total.
      public var utilization: Double
    }
  }

  /// The per-object states behind the counts.
  public struct Detail: Codable, Sendable, Hashable {
    public var node: [NodeState]
    public var vm: [VMState]
    public var osd: [OSDState]
    public var faults: [Fault]

    public struct NodeState: Codable, Sendable, Hashable {
      public var name: String
      public var daemonState: String
      public var domainState: String
      enum CodingKeys: String, CodingKey {
        case name
        case daemonState = "daemon_state"
        case domainState = "domain_state"
      }
    }

    public struct VMState: Codable, Sendable, Hashable {
      public var uuid: String
      public var name: String
      public var state: String
    }

    public struct OSDState: Codable, Sendable, Hashable {
      public var id: String
      public var up: String
      public var `in`: String
    }
  }

  enum CodingKeys: String, CodingKey {
    case maintenance, nodes, vms, networks, osds, pools, volumes, snapshots, resources, detail
    case clusterName = "cluster_name"
    case clusterHealth = "cluster_health"
    case nodeHealth = "node_health"
    case primaryNode = "primary_node"
    case pvcVersion = "pvc_version"
    case upstreamIP = "upstream_ip"
  }

  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    clusterName = try c.decodeIfPresent(String.self, forKey: .clusterName) ?? ""
    clusterHealth = try c.decode(Health.self, forKey: .clusterHealth)
    nodeHealth = try c.decodeIfPresent([String: NodeHealth].self, forKey: .nodeHealth) ?? [:]
    maintenance = (try c.decodeIfPresent(String.self, forKey: .maintenance)) == "true"
    let primary = try c.decodeIfPresent(String.self, forKey: .primaryNode)
    primaryNode = primary == "none" || primary?.isEmpty == true ? nil : primary
    pvcVersion = try c.decodeIfPresent(String.self, forKey: .pvcVersion) ?? ""
    upstreamIP = try c.decodeIfPresent(String.self, forKey: .upstreamIP) ?? ""
    nodes = try c.decodeIfPresent([String: Int].self, forKey: .nodes) ?? ["total": 0]
    vms = try c.decodeIfPresent([String: Int].self, forKey: .vms) ?? ["total": 0]
    networks = try c.decodeIfPresent(Int.self, forKey: .networks) ?? 0
    osds = try c.decodeIfPresent([String: Int].self, forKey: .osds) ?? ["total": 0]
    pools = try c.decodeIfPresent(Int.self, forKey: .pools) ?? 0
    volumes = try c.decodeIfPresent(Int.self, forKey: .volumes) ?? 0
    snapshots = try c.decodeIfPresent(Int.self, forKey: .snapshots) ?? 0
    resources = try c.decode(Resources.self, forKey: .resources)
    detail = try c.decode(Detail.self, forKey: .detail)
  }

  public func encode(to encoder: any Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(clusterName, forKey: .clusterName)
    try c.encode(clusterHealth, forKey: .clusterHealth)
    try c.encode(nodeHealth, forKey: .nodeHealth)
    try c.encode(maintenance ? "true" : "false", forKey: .maintenance)
    try c.encode(primaryNode ?? "none", forKey: .primaryNode)
    try c.encode(pvcVersion, forKey: .pvcVersion)
    try c.encode(upstreamIP, forKey: .upstreamIP)
    try c.encode(nodes, forKey: .nodes)
    try c.encode(vms, forKey: .vms)
    try c.encode(networks, forKey: .networks)
    try c.encode(osds, forKey: .osds)
    try c.encode(pools, forKey: .pools)
    try c.encode(volumes, forKey: .volumes)
    try c.encode(snapshots, forKey: .snapshots)
    try c.encode(resources, forKey: .resources)
    try c.encode(detail, forKey: .detail)
  }

  init(
    clusterName: String, clusterHealth: Health, nodeHealth: [String: NodeHealth], maintenance: Bool,
    primaryNode: String?, pvcVersion: String, upstreamIP: String, nodes: [String: Int], vms: [String: Int],
    networks: Int, osds: [String: Int], pools: Int, volumes: Int, snapshots: Int, resources: Resources,
    detail: Detail
  ) {
    self.clusterName = clusterName
    self.clusterHealth = clusterHealth
    self.nodeHealth = nodeHealth
    self.maintenance = maintenance
    self.primaryNode = primaryNode
    self.pvcVersion = pvcVersion
    self.upstreamIP = upstreamIP
    self.nodes = nodes
    self.vms = vms
    self.networks = networks
    self.osds = osds
    self.pools = pools
    self.volumes = volumes
    self.snapshots = snapshots
    self.resources = resources
    self.detail = detail
  }
}
