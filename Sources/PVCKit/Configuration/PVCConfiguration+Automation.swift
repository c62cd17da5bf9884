extension PVCConfiguration {
  /// Upstream's `autobackup` section: which VMs are backed up (by tag), where, how often a full backup is taken and
  /// how many are kept, and the commands that mount the backup storage first.
  public struct Autobackup: Sendable, Hashable {
    /// `backup_root_path` and `backup_root_suffix` together: where the VMs' directories go.
    public var root: String
    /// `backup_root_path` alone (what `{backup_root_path}` in the mount commands means).
    public var rootPath: String
    /// VMs with a tag of one of these names are backed up.
    public var tags: [String]
    /// A full backup every this many backups (`backup_schedule.full_interval`).
    public var fullInterval: Int
    /// How many full backups (with their incrementals) are kept (`backup_schedule.full_retention`).
    public var fullRetention: Int
    /// Run before and after (`auto_mount`), each a program and its arguments (no shell).
    public var mountCommands: [[String]]
    public var unmountCommands: [[String]]

    /// Creates settings.
    public init(
      rootPath: String, suffix: String = "", tags: [String], fullInterval: Int = 7, fullRetention: Int = 2,
      mountCommands: [[String]] = [], unmountCommands: [[String]] = []
    ) {
      self.rootPath = rootPath
      root = suffix.isEmpty ? rootPath : rootPath + (suffix.hasPrefix("/") ? suffix : "/" + suffix)
      self.tags = tags
      self.fullInterval = fullInterval
      self.fullRetention = fullRetention
      self.mountCommands = mountCommands
      self.unmountCommands = unmountCommands
    }
  }

  /// Upstream's `automirror` section: the clusters VMs are mirrored to, which VMs (by tag, `tag:destination` for
  /// another than the default), and how many automirror snapshots are kept.
  public struct Automirror: Sendable, Hashable {
    public var destinations: [String: SnapshotDestination]
    public var defaultDestination: String
    public var tags: [String]
    public var keepSnapshots: Int

    /// Creates settings.
    public init(
      destinations: [String: SnapshotDestination], defaultDestination: String, tags: [String], keepSnapshots: Int = 7
    ) {
      self.destinations = destinations
      self.defaultDestination = defaultDestination
      self.tags = tags
      self.keepSnapshots = keepSnapshots
    }
  }

  static func autobackup(_ section: ConfigurationReader?) throws -> Autobackup? {
    guard let section else { return nil }
    let rootPath = try section.string("backup_root_path")
    guard rootPath.hasPrefix("/"), !rootPath.split(separator: "/").contains("..") else {
      throw section.error("backup_root_path", "expected an absolute path")
    }
    let suffix = try section.string("backup_root_suffix", default: "")
    guard !suffix.split(separator: "/").contains("..") else {
      throw section.error("backup_root_suffix", "expected a path below backup_root_path")
    }
    let schedule = try section.optionalSection("backup_schedule")
    var mount: [[String]] = []
    var unmount: [[String]] = []
    if let auto = try section.optionalSection("auto_mount"), try auto.bool("enabled", default: false) {
      func commands(_ key: String) throws -> [[String]] {
        try auto.optionalList(key).map { command in
          command.replacingOccurrences(of: "{backup_root_path}", with: rootPath).split(separator: " ").map(String.init)
        }.filter { !$0.isEmpty }
      }
      mount = try commands("mount_cmds")
      unmount = try commands("unmount_cmds")
      for command in mount + unmount where !(command.first?.hasPrefix("/") ?? false) {
        throw auto.error("mount_cmds", "each command must start with the program's absolute path")
      }
    }
    return Autobackup(
      rootPath: rootPath, suffix: suffix, tags: try section.stringList("backup_tags"),
      fullInterval: try schedule?.int("full_interval", default: 7, in: 1...10_000) ?? 7,
      fullRetention: try schedule?.int("full_retention", default: 2, in: 1...10_000) ?? 2, mountCommands: mount,
      unmountCommands: unmount)
  }

  static func automirror(_ section: ConfigurationReader?) throws -> Automirror? {
    guard let section else { return nil }
    let list = try section.section("destinations")
    var destinations: [String: SnapshotDestination] = [:]
    for name in list.node.keys.sorted() {
      let entry = try list.section(name)
      let ssl = try entry.bool("ssl", default: false)
      let host = try entry.string("address")
      let port = try entry.int("port", default: 7370, in: 1...65535)
      let prefix = try entry.string("prefix", default: "/api/v1")
      let destination = SnapshotDestination(
        uri: "\(ssl ? "https" : "http")://\(host):\(port)\(prefix)", key: try entry.string("key"),
        verifySSL: try entry.bool("verify_ssl", default: true),
        pool: entry.has("pool") ? try entry.string("pool") : nil)
      do {
        _ = try destination.baseURL()
      } catch {
        throw entry.error("address", "\(error)")
      }
      destinations[name] = destination
    }
    let fallback = try section.string("default_destination")
    guard destinations[fallback] != nil else {
      throw section.error("default_destination", "'\(fallback)' is not one of the destinations")
    }
    return Automirror(
      destinations: destinations, defaultDestination: fallback, tags: try section.stringList("mirror_tags"),
      keepSnapshots: try section.int("keep_snapshots", default: 7, in: 1...10_000))
  }
}
