/// A VM's desired or reported state (`/domains/<uuid>/state`).
///
/// A struct rather than an enum so that states written by newer daemons are kept as they are.
public struct VMState: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible,
  ExpressibleByStringLiteral
{
  public var rawValue: String
  public init(rawValue: String) { self.rawValue = rawValue }
  public init(stringLiteral value: String) { rawValue = value }
  public var description: String { rawValue }

  /// Should run; the node daemon starts it (or restarts it if it dies).
  public static let start: VMState = "start"
  /// Being restarted (shut down, then started).
  public static let restart: VMState = "restart"
  /// Being shut down gracefully (ACPI, then forced after the timeout).
  public static let shutdown: VMState = "shutdown"
  /// Stopped.
  public static let stop: VMState = "stop"
  /// Stopped and excluded from automatic starts.
  public static let disable: VMState = "disable"
  /// Failed to start or to receive a migration; see the failure reason.
  public static let fail: VMState = "fail"
  /// Moving to another node (live if possible, else by shutdown).
  public static let migrate: VMState = "migrate"
  /// Moving to another node live only.
  public static let migrateLive: VMState = "migrate-live"
  /// Moving back to its previous node.
  public static let unmigrate: VMState = "unmigrate"
  /// Being created by the provisioner.
  public static let provision: VMState = "provision"
  /// Being imported.
  public static let `import`: VMState = "import"
  /// Being restored from a snapshot.
  public static let restore: VMState = "restore"
  /// A snapshot mirror of a VM of another cluster.
  public static let mirror: VMState = "mirror"
  /// Being removed.
  public static let delete: VMState = "delete"

  /// The states `vm list --state` accepts (upstream's list).
  public static let listable: [VMState] = [
    .start, .restart, .shutdown, .stop, .disable, .fail, .migrate, .unmigrate, .provision, .mirror,
  ]

  /// Whether the state is a migration in progress.
  public var isMigrating: Bool { self == .migrate || self == .migrateLive || self == .unmigrate }
}

/// How a node chooses migration targets.
public enum NodeSelector: String, Sendable, Hashable, Codable, CaseIterable {
  /// Most free memory.
  case mem
  /// Most memory left after what its VMs are provisioned.
  case memprov
  /// Lowest load.
  case load
  /// Fewest allocated vCPUs.
  case vcpus
  /// Fewest VMs.
  case vms
  /// The cluster default.
  case none
}

/// How a VM moves between nodes.
public enum MigrationMethod: String, Sendable, Hashable, Codable, CaseIterable {
  /// Live only: if live migration fails, the VM stays where it is.
  case live
  /// By shutting down and starting on the target.
  case shutdown
  /// Live, falling back to shutdown (the default).
  case none
}

/// A node daemon's state (`/nodes/<node>/daemonstate`).
public struct NodeDaemonState: RawRepresentable, Hashable, Sendable, Codable, ExpressibleByStringLiteral {
  public var rawValue: String
  public init(rawValue: String) { self.rawValue = rawValue }
  public init(stringLiteral value: String) { rawValue = value }
  public static let initializing: NodeDaemonState = "init"
  public static let run: NodeDaemonState = "run"
  public static let shutdown: NodeDaemonState = "shutdown"
  public static let stop: NodeDaemonState = "stop"
  public static let dead: NodeDaemonState = "dead"
  public static let fenced: NodeDaemonState = "fenced"
}

/// A node's coordinator role (`/nodes/<node>/routerstate`).
public struct NodeCoordinatorState: RawRepresentable, Hashable, Sendable, Codable, ExpressibleByStringLiteral {
  public var rawValue: String
  public init(rawValue: String) { self.rawValue = rawValue }
  public init(stringLiteral value: String) { rawValue = value }
  public static let client: NodeCoordinatorState = "client"
  public static let secondary: NodeCoordinatorState = "secondary"
  public static let takeover: NodeCoordinatorState = "takeover"
  public static let primary: NodeCoordinatorState = "primary"
  public static let relinquish: NodeCoordinatorState = "relinquish"
}

/// Whether a node takes VMs (`/nodes/<node>/domainstate`).
public struct NodeDomainState: RawRepresentable, Hashable, Sendable, Codable, ExpressibleByStringLiteral {
  public var rawValue: String
  public init(rawValue: String) { self.rawValue = rawValue }
  public init(stringLiteral value: String) { rawValue = value }
  public static let ready: NodeDomainState = "ready"
  public static let flush: NodeDomainState = "flush"
  public static let flushed: NodeDomainState = "flushed"
  public static let unflush: NodeDomainState = "unflush"
  public static let fenceFlush: NodeDomainState = "fence-flush"
}
