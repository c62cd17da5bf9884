import Foundation

/// A node, in the JSON shape of upstream's `GET /node/<node>`.
public struct NodeInfo: Codable, Sendable, Hashable {
  public var name: String
  public var daemonState: NodeDaemonState
  public var coordinatorState: NodeCoordinatorState
  public var domainState: NodeDomainState
  public var pvcVersion: String
  public var cpuCount: Int
  public var kernel: String
  public var os: String
  public var arch: String
  /// 0-100 from the health plugins, or `nil` when not reported (`N/A`).
  public var health: Int?
  public var healthPlugins: [String]
  /// Each health plugin's last result.
  public var healthDetails: [HealthDetail] = []
  public var load: Double
  public var domainsCount: Int
  /// Names of the VMs running on the node (as upstream shows them; stored as UUIDs).
  public var runningDomains: [String]
  public var vcpu: VCPU
  public var memory: Memory
  /// Seconds since the epoch of the last keepalive.
  public var keepalive: Int
  /// Per network interface statistics, as the node reports them (`network_stats`).
  public var interfaces: [String: JSONValue] = [:]

  /// A health plugin's last result.
  public struct HealthDetail: Codable, Sendable, Hashable {
    public var name: String
    /// Seconds since the epoch.
    public var lastRun: Int
    public var healthDelta: Int
    public var message: String
    /// What the plugin measured (its JSON document), `null` when it reported nothing.
    public var data: JSONValue = .null

    enum CodingKeys: String, CodingKey {
      case name, message, data
      case lastRun = "last_run"
      case healthDelta = "health_delta"
    }

    /// Creates a result.
    public init(name: String, lastRun: Int, healthDelta: Int, message: String, data: JSONValue = .null) {
      self.name = name
      self.lastRun = lastRun
      self.healthDelta = healthDelta
      self.message = message
      self.data = data
    }

    public init(from decoder: any Decoder) throws {
      let c = try decoder.container(keyedBy: CodingKeys.self)
      name = try c.decode(String.self, forKey: .name)
      lastRun = try c.decodeIfPresent(Int.self, forKey: .lastRun) ?? 0
      healthDelta = try c.decodeIfPresent(Int.self, forKey: .healthDelta) ?? 0
      message = try c.decodeIfPresent(String.self, forKey: .message) ?? ""
      data = try c.decodeIfPresent(JSONValue.self, forKey: .data) ?? .null
    }

    /// A result from its record; a `data` document that is not JSON is added to `problems`.
    init(name: String, record: Record<MonitoringPluginKey>, problems: inout [RecordProblem]) {
      self.name = name
      lastRun = record.int(.lastRun) ?? 0
      healthDelta = record.int(.healthDelta) ?? 0
      message = record[.message] ?? ""
      if let text = record[.data], !text.isEmpty {
        do {
          data = try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
        } catch {
          problems.append(
            RecordProblem(path: record.basePath + MonitoringPluginKey.data.spec.path, problem: "not valid JSON"))
        }
      }
    }
  }

  public struct VCPU: Codable, Sendable, Hashable {
    public var total: Int
    public var allocated: Int
  }

  /// MiB.
  public struct Memory: Codable, Sendable, Hashable {
    public var total: Int
    public var allocated: Int
    public var provisioned: Int
    public var used: Int
    public var free: Int
  }

  enum CodingKeys: String, CodingKey {
    case name, kernel, os, arch, health, load, vcpu, memory, keepalive, interfaces
    case healthDetails = "health_details"
    case daemonState = "daemon_state"
    case coordinatorState = "coordinator_state"
    case domainState = "domain_state"
    case pvcVersion = "pvc_version"
    case cpuCount = "cpu_count"
    case healthPlugins = "health_plugins"
    case domainsCount = "domains_count"
    case runningDomains = "running_domains"
  }

  public func encode(to encoder: any Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(name, forKey: .name)
    try c.encode(daemonState, forKey: .daemonState)
    try c.encode(coordinatorState, forKey: .coordinatorState)
    try c.encode(domainState, forKey: .domainState)
    try c.encode(pvcVersion, forKey: .pvcVersion)
    try c.encode(cpuCount, forKey: .cpuCount)
    try c.encode(kernel, forKey: .kernel)
    try c.encode(os, forKey: .os)
    try c.encode(arch, forKey: .arch)
    if let health { try c.encode(health, forKey: .health) } else { try c.encode("N/A", forKey: .health) }
    try c.encode(healthPlugins, forKey: .healthPlugins)
    try c.encode(healthDetails, forKey: .healthDetails)
    try c.encode(load, forKey: .load)
    try c.encode(domainsCount, forKey: .domainsCount)
    try c.encode(runningDomains, forKey: .runningDomains)
    try c.encode(vcpu, forKey: .vcpu)
    try c.encode(memory, forKey: .memory)
    try c.encode(keepalive, forKey: .keepalive)
    try c.encode(interfaces, forKey: .interfaces)
  }

  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    name = try c.decode(String.self, forKey: .name)
    daemonState = try c.decode(NodeDaemonState.self, forKey: .daemonState)
    coordinatorState = try c.decode(NodeCoordinatorState.self, forKey: .coordinatorState)
    domainState = try c.decode(NodeDomainState.self, forKey: .domainState)
    pvcVersion = try c.decodeIfPresent(String.self, forKey: .pvcVersion) ?? ""
    cpuCount = try c.decodeIfPresent(Int.self, forKey: .cpuCount) ?? 0
    kernel = try c.decodeIfPresent(String.self, forKey: .kernel) ?? ""
    os = try c.decodeIfPresent(String.self, forKey: .os) ?? ""
    arch = try c.decodeIfPresent(String.self, forKey: .arch) ?? ""
    health = try? c.decode(Int.self, forKey: .health)
    healthPlugins = try c.decodeIfPresent([String].self, forKey: .healthPlugins) ?? []
    healthDetails = try c.decodeIfPresent([HealthDetail].self, forKey: .healthDetails) ?? []
    load = try c.decodeIfPresent(Double.self, forKey: .load) ?? 0
    domainsCount = try c.decodeIfPresent(Int.self, forKey: .domainsCount) ?? 0
    runningDomains = try c.decodeIfPresent([String].self, forKey: .runningDomains) ?? []
    vcpu = try c.decode(VCPU.self, forKey: .vcpu)
    memory = try c.decode(Memory.self, forKey: .memory)
    keepalive = try c.decodeIfPresent(Int.self, forKey: .keepalive) ?? 0
    interfaces = try c.decodeIfPresent([String: JSONValue].self, forKey: .interfaces) ?? [:]
  }

  /// A node from its record; bad values (see ``Record/problems``) show as unknown,
  /// and a `network_stats` document that is not JSON is added to `problems`.
  init(name: String, record: Record<NodeKey>, problems: inout [RecordProblem]) {
    self.name = name
    daemonState = NodeDaemonState(rawValue: record.value(.daemonState))
    coordinatorState = NodeCoordinatorState(rawValue: record.value(.routerState))
    domainState = NodeDomainState(rawValue: record.value(.domainState))
    pvcVersion = record.value(.pvcVersion)
    let staticData = record.value(.staticData).split(separator: " ").map(String.init)
    cpuCount = staticData.first.flatMap { Int(bounded: $0) }.map { Swift.max(0, $0) } ?? 0
    kernel = staticData.count > 1 ? staticData[1] : ""
    os = staticData.count > 2 ? staticData[2] : ""
    arch = staticData.count > 3 ? staticData[3] : ""
    health = record.int(.monitoringHealth).map { Swift.min(100, Swift.max(0, $0)) }
    healthPlugins = record.value(.monitoringPlugins).split(separator: " ").map(String.init)
    load = record.double(.cpuLoad) ?? 0
    domainsCount = record.count(.domainCount) ?? 0
    runningDomains = record.value(.runningDomains).split(separator: " ").map(String.init)
    vcpu = VCPU(total: cpuCount, allocated: record.count(.vcpuAllocated) ?? 0)
    memory = Memory(
      total: record.count(.memoryTotal) ?? 0, allocated: record.count(.memoryAllocated) ?? 0,
      provisioned: record.count(.memoryProvisioned) ?? 0, used: record.count(.memoryUsed) ?? 0,
      free: record.count(.memoryFree) ?? 0)
    keepalive = record.int(.keepalive) ?? 0
    if let stats = record[.networkStats], !stats.isEmpty {
      do {
        interfaces = try JSONDecoder().decode([String: JSONValue].self, from: Data(stats.utf8))
      } catch {
        problems.append(
          RecordProblem(path: record.basePath + NodeKey.networkStats.spec.path, problem: "not a JSON object"))
      }
    }
  }

  /// The node as placement sees it.
  public var candidate: NodeCandidate {
    NodeCandidate(
      name: name, daemonState: daemonState, domainState: domainState, memoryFree: memory.free,
      memoryUsed: memory.used, memoryProvisioned: memory.provisioned, load: load, vcpusAllocated: vcpu.allocated,
      domainCount: domainsCount)
  }
}
