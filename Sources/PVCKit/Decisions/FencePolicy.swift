/// How a cluster fences, from `pvc.conf`'s `fencing` and `timer` sections.
public struct FencePolicy: Sendable, Hashable {
  /// The keepalive interval.
  public var interval: Duration
  /// Missed keepalives before a node is declared dead.
  public var fenceIntervals: Int
  /// Further keepalive intervals a dead node gets to come back before it is power-cycled.
  public var savingThrows: Int
  /// Keepalive intervals without ZooKeeper after which a node stops its own VMs (0: never).
  public var selfFenceIntervals: Int
  /// Recover the VMs after a confirmed fence.
  public var migrateAfterFence: Bool
  /// Recover the VMs after a failed fence: only when the node has self-fenced (see ``FenceMachine``).
  public var migrateAfterFailedFence: Bool
  /// How many times to ask IPMI for power status before calling the fence failed.
  public var statusAttempts: Int
  /// Time between retries of a failed fence.
  public var retryInterval: Duration
  /// How long after pvcd stops feeding it the node's hardware watchdog resets the node (nil: no watchdog).
  public var watchdogTimeout: Duration?

  /// Creates a policy.
  public init(
    interval: Duration, fenceIntervals: Int, savingThrows: Int = 6, selfFenceIntervals: Int = 0,
    migrateAfterFence: Bool = true, migrateAfterFailedFence: Bool = false, statusAttempts: Int = 3,
    retryInterval: Duration? = nil, watchdogTimeout: Duration? = nil
  ) {
    self.interval = interval
    self.fenceIntervals = fenceIntervals
    self.savingThrows = savingThrows
    self.selfFenceIntervals = selfFenceIntervals
    self.migrateAfterFence = migrateAfterFence
    self.migrateAfterFailedFence = migrateAfterFailedFence
    self.statusAttempts = statusAttempts
    self.retryInterval = retryInterval ?? interval * 6
    self.watchdogTimeout = watchdogTimeout
  }

  /// The policy of a configuration file.
  public static func from(_ configuration: PVCConfiguration) -> FencePolicy {
    FencePolicy(
      interval: .seconds(configuration.timers.keepaliveInterval), fenceIntervals: configuration.fencing.fenceIntervals,
      savingThrows: configuration.fencing.savingThrows, selfFenceIntervals: configuration.fencing.suicideIntervals,
      migrateAfterFence: configuration.fencing.successfulFence == .migrate,
      migrateAfterFailedFence: configuration.fencing.failedFence == .migrate,
      watchdogTimeout: configuration.fencing.watchdog.map { .seconds($0.timeout) })
  }

  /// How long a node without ZooKeeper waits before stopping its VMs (nil: never).
  public var selfFenceAfter: Duration? { selfFenceIntervals > 0 ? interval * selfFenceIntervals : nil }

  /// How long after a node's session expired the cluster can be sure the node no
  /// longer runs its VMs, without IPMI's word (nil: never).
  ///
  /// This needs both self-fencing and a watchdog. A pvcd that is alive stops its
  /// VMs once it has been out of contact for ``selfFenceAfter``, or stops feeding
  /// its watchdog if it cannot; a pvcd that crashed or hung stopped feeding it
  /// already. Either way the node's VMs are gone ``watchdogTimeout`` later at the
  /// latest. Both times count from the node's last contact, which came before
  /// the expiry; one more interval covers the ticks' granularity. Without a
  /// watchdog a crashed pvcd leaves its guests running, so nothing is assumed.
  public var selfFencedSafelyAfterExpiry: Duration? {
    guard let selfFenceAfter, let watchdogTimeout else { return nil }
    return selfFenceAfter + watchdogTimeout + interval
  }
}
