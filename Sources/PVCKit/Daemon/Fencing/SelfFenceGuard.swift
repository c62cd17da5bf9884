import Foundation
import Logging

/// The node side of fencing, run by every node's daemon: it tracks the last
/// moment the node's ZooKeeper session was connected, stops every local VM
/// once that is longer ago than the policy's self-fence time, and feeds the
/// hardware watchdog (if one is configured) only while that rule holds; see
/// ``SelfFence`` and Documentation/HighAvailability.md for the safety argument.
struct SelfFenceGuard: Sendable {
  let zookeeper: ZooKeeper
  let libvirt: LibvirtConnection
  let policy: FencePolicy
  let watchdog: Watchdog?
  let logger: Logger

  /// Runs until cancelled, checking twice per keepalive interval.
  func run() async {
    guard policy.selfFenceAfter != nil || watchdog != nil else { return }
    var lastContact = ContinuousClock.now
    var fenced = false
    while !Task.isCancelled {
      let now = ContinuousClock.now
      if zookeeper.sessionID != 0 {
        lastContact = now
        if fenced { logger.info("ZooKeeper reached again after self-fencing") }
        fenced = false
      }
      let silence = now - lastContact
      var running = (try? await libvirt.activeDomains().filter { $0.state.isActive }.map(\.uuid)) ?? []
      if SelfFence.mustStopVMs(lostContactFor: silence, policy: policy), !running.isEmpty {
        logger.info("self-fencing: no ZooKeeper for \(silence); stopping \(running.count) VMs")
        let took = await Self.stopAll(running, libvirt: libvirt)
        running = (try? await libvirt.activeDomains().filter { $0.state.isActive }.map(\.uuid)) ?? running
        logger.info(
          "self-fencing: stopped \(running.isEmpty ? "every VM" : "all but \(running.count) VMs") in \(took.milliseconds) ms"
        )
        fenced = true
      }
      if let watchdog, SelfFence.feedsWatchdog(lostContactFor: silence, runningVMs: running.count, policy: policy) {
        watchdog.feed()
      }
      try? await Task.sleep(for: policy.interval / 2)
    }
    watchdog?.disarm()
  }

  /// Stops every guest at once and returns how long it took until the last one
  /// was gone: their QEMU processes are killed together first (no wait on
  /// libvirtd, which needs about a second per guest and may be what hangs),
  /// then libvirt destroys them all in parallel, which also cleans up after
  /// the kills. One after another, 20 guests took most of the margin before
  /// the cluster starts them elsewhere.
  static func stopAll(_ uuids: [String], libvirt: LibvirtConnection) async -> Duration {
    let start = ContinuousClock.now
    let wanted = Set(uuids.map { $0.lowercased() })
    let killed = await GuestProcesses.kill(wanted)
    let gone = ContinuousClock.now - start
    await withTaskGroup(of: Void.self) { group in
      for uuid in uuids { group.addTask { try? await libvirt.destroy(uuid) } }
    }
    // Gone once their processes are; a guest not found by its process only once libvirt destroyed it.
    return killed == wanted ? gone : ContinuousClock.now - start
  }
}

extension Duration {
  /// Whole milliseconds.
  var milliseconds: Int64 { components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000 }
}

/// A Linux watchdog device (`/dev/watchdog`): opening it arms it, each write
/// feeds it, and writing `V` before closing disarms it (the "magic close").
/// If pvcd stops feeding it, the kernel resets the machine after its timeout.
final class Watchdog: Sendable {
  let path: String
  private let handle: FileHandle

  /// Opens (and so arms) the device.
  init(path: String) throws {
    self.path = path
    guard let handle = FileHandle(forWritingAtPath: path) else {
      throw PrimaryDutyError.failed("cannot open the watchdog \(path)")
    }
    self.handle = handle
  }

  /// Feeds the watchdog.
  func feed() { try? handle.write(contentsOf: Data("1".utf8)) }

  /// Disarms the watchdog on a clean stop.
  func disarm() {
    try? handle.write(contentsOf: Data("V".utf8))
    try? handle.close()
  }
}
