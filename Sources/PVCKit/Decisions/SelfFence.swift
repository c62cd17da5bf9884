/// The node side of fencing: a node that has lost ZooKeeper for too long stops
/// its own VMs, so that the cluster may start them elsewhere even when IPMI
/// cannot reach it (for instance when the whole machine lost its network).
///
/// Safety: the node measures the time since its last successful contact with
/// ZooKeeper on its own clock, and stops its VMs once it exceeds the policy's
/// self-fence time; if it cannot, or if pvcd itself crashed or hung, the node's
/// hardware watchdog resets it. The server expires the node's session only after
/// that last contact, and the cluster waits the self-fence time plus the watchdog
/// timeout plus a margin after seeing the expiry before recovering the VMs
/// (``FencePolicy/selfFencedSafelyAfterExpiry``). So by then the node has stopped
/// them, whatever the offset between the machines' clocks: only durations
/// measured on one clock are compared.
public enum SelfFence {
  /// Whether a node out of contact for `silence` must stop its VMs now.
  public static func mustStopVMs(lostContactFor silence: Duration, policy: FencePolicy) -> Bool {
    guard let limit = policy.selfFenceAfter else { return false }
    return silence >= limit
  }

  /// Whether pvcd keeps feeding the node's watchdog: it stops once it must have
  /// self-fenced but some VM still runs (stopping it failed or hangs), so that the
  /// watchdog resets the node. A pvcd that crashed or hung stops feeding it anyway.
  public static func feedsWatchdog(lostContactFor silence: Duration, runningVMs: Int, policy: FencePolicy) -> Bool {
    !(mustStopVMs(lostContactFor: silence, policy: policy) && runningVMs > 0)
  }

  /// How long a starting pvcd waits before it opens the watchdog, when a predecessor armed it and did not disarm
  /// it (it crashed or was killed) and last fed it `sinceLastFeed` ago. Opening the device feeds it, so a pvcd
  /// that a service manager restarts quickly would otherwise keep a node alive whose crashed daemon should have
  /// been reset by the watchdog (and whose VMs the cluster may start elsewhere after the watchdog's timeout).
  /// It waits out the timeout plus one keepalive interval of margin: by then the watchdog has reset the machine,
  /// and only a watchdog that failed to do so lets it go on.
  public static func waitBeforeArming(sinceLastFeed: Duration, timeout: Duration, interval: Duration) -> Duration {
    let limit = timeout + interval
    return sinceLastFeed >= limit ? .zero : limit - max(sinceLastFeed, .zero)
  }
}
