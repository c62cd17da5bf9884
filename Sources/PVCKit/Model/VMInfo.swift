/// Everything about one VM, in the JSON shape of upstream's `GET /vm/<vm>`.
public struct VMInfo: Codable, Sendable, Hashable {
  public var name: String
  public var uuid: String
  public var state: VMState
  public var node: String
  public var lastNode: String
  /// `no`, or `from <node>` when temporarily migrated.
  public var migrated: String
  public var failedReason: String
  /// The nodes the VM may run on; `nil` for any.
  public var nodeLimit: [String]?
  /// The VM's migration target selector; `nil` for the cluster default.
  public var nodeSelector: String?
  /// Start on this node at the next unflush.
  public var nodeAutostart: Bool
  /// `live` or `shutdown`; `nil` for live falling back to shutdown.
  public var migrationMethod: String?
  /// Longest pause allowed at the end of a live migration, in ms.
  public var migrationMaxDowntime: Int
  public var tags: [VMTag]
  public var snapshots: [VMSnapshot]
  public var description: String
  public var profile: String
  /// Memory in MiB.
  public var memory: Int
  public var memoryStats: [String: Int]
  public var vcpu: Int
  /// `sockets/cores/threads`, or `N/A`.
  public var vcpuTopology: String
  public var vcpuStats: [String: Int]
  public var type: String
  public var arch: String
  public var machine: String
  public var console: String
  public var vnc: VNC
  public var emulator: String
  public var features: [String]
  public var networks: [Network]
  public var disks: [Disk]
  public var controllers: [Controller]
  /// The libvirt definition.
  public var xml: String

  /// The VNC listener (`nil` parts when the VM has none or is not running).
  public struct VNC: Codable, Sendable, Hashable {
    public var listen: String?
    public var port: String?

    /// Both keys always, unset ones as `null`.
    public func encode(to encoder: any Encoder) throws {
      var c = encoder.container(keyedBy: CodingKeys.self)
      try c.encode(listen, forKey: .listen)
      try c.encode(port, forKey: .port)
    }
  }

  /// A network interface with its traffic counters.
  public struct Network: Codable, Sendable, Hashable {
    public var type: String
    public var vni: String
    public var mac: String
    public var source: String
    public var model: String
    public var rdBytes: Int
    public var rdPackets: Int
    public var rdErrors: Int
    public var rdDrops: Int
    public var wrBytes: Int
    public var wrPackets: Int
    public var wrErrors: Int
    public var wrDrops: Int

    enum CodingKeys: String, CodingKey {
      case type, vni, mac, source, model
      case rdBytes = "rd_bytes"
      case rdPackets = "rd_packets"
      case rdErrors = "rd_errors"
      case rdDrops = "rd_drops"
      case wrBytes = "wr_bytes"
      case wrPackets = "wr_packets"
      case wrErrors = "wr_errors"
      case wrDrops = "wr_drops"
    }
  }

  /// A disk with its I/O counters.
  public struct Disk: Codable, Sendable, Hashable {
    public var type: String
    public var name: String
    public var dev: String
    public var bus: String
    public var rdReq: Int
    public var rdBytes: Int
    public var wrReq: Int
    public var wrBytes: Int

    enum CodingKeys: String, CodingKey {
      case type, name, dev, bus
      case rdReq = "rd_req"
      case rdBytes = "rd_bytes"
      case wrReq = "wr_req"
      case wrBytes = "wr_bytes"
    }
  }

  /// A controller.
  public struct Controller: Codable, Sendable, Hashable {
    public var type: String
    public var model: String?

    /// Both keys always, an unset model as `null` (as upstream sends it).
    public func encode(to encoder: any Encoder) throws {
      var c = encoder.container(keyedBy: CodingKeys.self)
      try c.encode(type, forKey: .type)
      try c.encode(model, forKey: .model)
    }
  }

  enum CodingKeys: String, CodingKey {
    case name, uuid, state, node, migrated, tags, snapshots, description, profile, memory, vcpu, type, arch,
      machine, console, vnc, emulator, features, networks, disks, controllers, xml
    case lastNode = "last_node"
    case failedReason = "failed_reason"
    case nodeLimit = "node_limit"
    case nodeSelector = "node_selector"
    case nodeAutostart = "node_autostart"
    case migrationMethod = "migration_method"
    case migrationMaxDowntime = "migration_max_downtime"
    case memoryStats = "memory_stats"
    case vcpuTopology = "vcpu_topology"
    case vcpuStats = "vcpu_stats"
  }

  /// Encodes every field, unset ones as `null` (as upstream does).
  public func encode(to encoder: any Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(name, forKey: .name)
    try c.encode(uuid, forKey: .uuid)
    try c.encode(state, forKey: .state)
    try c.encode(node, forKey: .node)
    try c.encode(lastNode, forKey: .lastNode)
    try c.encode(migrated, forKey: .migrated)
    try c.encode(failedReason, forKey: .failedReason)
    try c.encode(nodeLimit, forKey: .nodeLimit)
    try c.encode(nodeSelector, forKey: .nodeSelector)
    try c.encode(nodeAutostart, forKey: .nodeAutostart)
    try c.encode(migrationMethod, forKey: .migrationMethod)
    try c.encode(migrationMaxDowntime, forKey: .migrationMaxDowntime)
    try c.encode(tags, forKey: .tags)
    try c.encode(snapshots, forKey: .snapshots)
    try c.encode(description, forKey: .description)
    try c.encode(profile, forKey: .profile)
    try c.encode(memory, forKey: .memory)
    try c.encode(memoryStats, forKey: .memoryStats)
    try c.encode(vcpu, forKey: .vcpu)
    try c.encode(vcpuTopology, forKey: .vcpuTopology)
    try c.encode(vcpuStats, forKey: .vcpuStats)
    try c.encode(type, forKey: .type)
    try c.encode(arch, forKey: .arch)
    try c.encode(machine, forKey: .machine)
    try c.encode(console, forKey: .console)
    try c.encode(vnc, forKey: .vnc)
    try c.encode(emulator, forKey: .emulator)
    try c.encode(features, forKey: .features)
    try c.encode(networks, forKey: .networks)
    try c.encode(disks, forKey: .disks)
    try c.encode(controllers, forKey: .controllers)
    try c.encode(xml, forKey: .xml)
  }
}

/// A VM tag.
public struct VMTag: Codable, Sendable, Hashable {
  public var name: String
  /// Always `user` today.
  public var type: String
  /// Protected tags cannot be removed.
  public var `protected`: Bool

  /// Creates a tag.
  public init(name: String, type: String = "user", protected: Bool = false) {
    self.name = name
    self.type = type
    self.protected = `protected`
  }
}

/// A whole-VM snapshot.
public struct VMSnapshot: Codable, Sendable, Hashable {
  public var name: String
  /// Epoch seconds, as text.
  public var timestamp: String
  /// How long ago, e.g. `3 hours`.
  public var age: String
  public var xmlDiffLines: [String]
  public var rbdSnapshots: [String]

  enum CodingKeys: String, CodingKey {
    case name, timestamp, age
    case xmlDiffLines = "xml_diff_lines"
    case rbdSnapshots = "rbd_snapshots"
  }
}
