/// What IPMI said about a node's power.
public enum PowerStatus: Sendable, Hashable {
  case on
  case off
  /// No answer, or the credentials were refused.
  case unreachable(String)
}

/// Something the fencer must do for a fence in progress.
public enum FenceEffect: Sendable, Hashable {
  /// Record the node `dead` (and raise its fault).
  case markDead
  /// Turn the node's power off over IPMI, then report its status with ``FenceEvent/powerStatus(_:)``.
  case powerOff
  /// Ask IPMI for the node's power status again.
  case queryPower
  /// Turn the node's power back on (it boots and rejoins as a new daemon).
  case powerOn
  /// Record the node `fenced`.
  case markFenced
  /// Start the node's VMs elsewhere: it is known not to run them any more.
  case recoverVMs
  /// Record that fencing failed, and why.
  case reportFailure(String)
  /// Something for the log.
  case log(String)
}

/// What happens to a fence in progress.
public enum FenceEvent: Sendable, Hashable {
  /// Time passed.
  case tick
  /// The node showed life (its keepalive changed, or it left `dead` by itself).
  case alive
  /// IPMI's answer after a power-off or a status query.
  case powerStatus(PowerStatus)
  /// The node's ZooKeeper session expired (its liveness node vanished).
  case sessionExpired
}

/// The fence of one node, as a pure state machine over events and a time.
///
/// A dead node gets its saving throws (it may come back); then it is powered
/// off over IPMI. Its VMs are recovered only when the power is confirmed off,
/// or, if IPMI cannot confirm it, when the node is known to have stopped its
/// VMs itself: self-fencing is enabled and its session expired long enough ago
/// (see ``FencePolicy/selfFencedSafelyAfterExpiry``). Otherwise the VMs stay
/// where they are and the fence is retried: a VM never runs on two nodes.
public struct FenceMachine: Sendable, Hashable {
  /// Where a fence stands.
  public enum Phase: Sendable, Hashable {
    /// Dead, in its saving throws since the time given.
    case suspect(since: Duration)
    /// Power-off requested; waiting for IPMI (attempt number).
    case poweringOff(attempt: Int)
    /// Power confirmed off; the node is fenced.
    case fenced
    /// Fencing failed at the time given; retried later.
    case failed(since: Duration)
    /// The node came back before it was fenced.
    case cancelled
  }

  public let node: String
  public let policy: FencePolicy
  public private(set) var phase: Phase
  /// When (on the fencer's clock) the node's session expired, if it did.
  public private(set) var sessionExpiredAt: Duration?
  /// Whether the node's VMs were handed to other nodes.
  public private(set) var recovered = false

  /// Starts fencing a node found dead at `now`.
  public init(node: String, policy: FencePolicy, now: Duration, sessionExpiredAt: Duration? = nil) {
    self.node = node
    self.policy = policy
    self.sessionExpiredAt = sessionExpiredAt
    phase = .suspect(since: now)
  }

  /// The effects of finding the node dead.
  public var initialEffects: [FenceEffect] {
    [.markDead, .log("node \(node) seems dead; \(policy.savingThrows) saving throws before fencing")]
  }

  /// Whether the fence is over (fenced with VMs handled, or cancelled).
  public var isFinished: Bool {
    switch phase {
    case .fenced, .cancelled: true
    default: false
    }
  }

  /// Handles an event at `now` and returns what to do.
  public mutating func handle(_ event: FenceEvent, now: Duration) -> [FenceEffect] {
    if event == .sessionExpired {
      if sessionExpiredAt == nil { sessionExpiredAt = now }
      return tryRecoverAfterFailure(now: now)
    }
    switch phase {
    case .suspect(let since):
      if event == .alive {
        phase = .cancelled
        return [.log("node \(node) came back during its saving throws; not fencing it")]
      }
      guard now - since >= policy.interval * policy.savingThrows else { return [] }
      phase = .poweringOff(attempt: 1)
      return [.log("fencing node \(node): powering it off over IPMI"), .powerOff]

    case .poweringOff(let attempt):
      guard case .powerStatus(let status) = event else { return [] }
      switch status {
      case .off:
        phase = .fenced
        var effects: [FenceEffect] = [.log("node \(node) is powered off: fenced"), .markFenced]
        if policy.migrateAfterFence && !recovered {
          recovered = true
          effects.append(.recoverVMs)
        }
        effects.append(.powerOn)
        return effects
      case .on where attempt < policy.statusAttempts:
        phase = .poweringOff(attempt: attempt + 1)
        return [.queryPower]
      case .on:
        return fail("node \(node) still has power after the power-off", now: now)
      case .unreachable(let reason):
        return fail("IPMI of node \(node) failed: \(reason)", now: now)
      }

    case .failed(let since):
      if event == .alive {
        phase = .cancelled
        return [.log("node \(node) came back after a failed fence")]
      }
      var effects = tryRecoverAfterFailure(now: now)
      if now - since >= policy.retryInterval {
        phase = .poweringOff(attempt: 1)
        effects += [.log("retrying the fence of node \(node)"), .powerOff]
      }
      return effects

    case .fenced, .cancelled:
      return []
    }
  }

  private mutating func fail(_ reason: String, now: Duration) -> [FenceEffect] {
    phase = .failed(since: now)
    return [.reportFailure(reason)] + tryRecoverAfterFailure(now: now)
  }

  /// After a failed fence, VMs are recovered only if the node must have stopped them itself.
  private mutating func tryRecoverAfterFailure(now: Duration) -> [FenceEffect] {
    guard case .failed = phase, policy.migrateAfterFailedFence, !recovered,
      let expired = sessionExpiredAt, let wait = policy.selfFencedSafelyAfterExpiry, now - expired >= wait
    else { return [] }
    recovered = true
    return [
      .log("node \(node) has self-fenced (session expired \(now - expired) ago); recovering its VMs"), .recoverVMs,
    ]
  }
}
