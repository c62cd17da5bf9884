/// A running VM's statistics, as the node daemon writes them to `/domains/<uuid>/stats`
/// (upstream's JSON keys).
public struct VMStatistics: Codable, Sendable, Hashable {
  /// `running`, `paused`, `shutoff`...
  public var state: String
  /// Maximum memory in KiB.
  public var maxmem: Int
  /// Current (balloon) memory in KiB.
  public var livemem: Int
  /// Online vCPUs.
  public var cpus: Int
  /// CPU time used, nanoseconds.
  public var cputime: Int
  /// The balloon driver's memory statistics (KiB), by name (`actual`, `rss`, `unused`...).
  public var memStats: [String: Int]
  /// `cpu_time`, `user_time`, `system_time` in nanoseconds.
  public var cpuStats: [String: Int]
  /// Per-disk I/O.
  public var diskStats: [Disk]
  /// Per-interface traffic.
  public var netStats: [Network]

  /// A disk's counters.
  public struct Disk: Codable, Sendable, Hashable {
    public var name: String
    public var rdReq: Int
    public var rdBytes: Int
    public var wrReq: Int
    public var wrBytes: Int
    public var err: Int

    enum CodingKeys: String, CodingKey {
      case name, err
      case rdReq = "rd_req"
      case rdBytes = "rd_bytes"
      case wrReq = "wr_req"
      case wrBytes = "wr_bytes"
    }
  }

  /// An interface's counters.
  public struct Network: Codable, Sendable, Hashable {
    public var name: String
    public var bridge: String
    public var rdBytes: Int
    public var rdPackets: Int
    public var rdErrors: Int
    public var rdDrops: Int
    public var wrBytes: Int
    public var wrPackets: Int
    public var wrErrors: Int
    public var wrDrops: Int

    enum CodingKeys: String, CodingKey {
      case name, bridge
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

  enum CodingKeys: String, CodingKey {
    case state, maxmem, livemem, cpus, cputime
    case memStats = "mem_stats"
    case cpuStats = "cpu_stats"
    case diskStats = "disk_stats"
    case netStats = "net_stats"
  }

  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    state = try c.decodeIfPresent(String.self, forKey: .state) ?? ""
    maxmem = try c.decodeIfPresent(Int.self, forKey: .maxmem) ?? 0
    livemem = try c.decodeIfPresent(Int.self, forKey: .livemem) ?? 0
    cpus = try c.decodeIfPresent(Int.self, forKey: .cpus) ?? 0
    cputime = try c.decodeIfPresent(Int.self, forKey: .cputime) ?? 0
    memStats = (try? c.decodeIfPresent([String: Int].self, forKey: .memStats)) ?? [:]
    cpuStats = (try? c.decodeIfPresent([String: Int].self, forKey: .cpuStats)) ?? [:]
    diskStats = (try? c.decodeIfPresent([Disk].self, forKey: .diskStats)) ?? []
    netStats = (try? c.decodeIfPresent([Network].self, forKey: .netStats)) ?? []
  }

  init(
    state: String, maxmem: Int, livemem: Int, cpus: Int, cputime: Int, memStats: [String: Int],
    cpuStats: [String: Int], diskStats: [Disk], netStats: [Network]
  ) {
    self.state = state
    self.maxmem = maxmem
    self.livemem = livemem
    self.cpus = cpus
    self.cputime = cputime
    self.memStats = memStats
    self.cpuStats = cpuStats
    self.diskStats = diskStats
    self.netStats = netStats
  }
}
