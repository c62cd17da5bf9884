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
///
/// While armed, a stamp file in the node's runtime directory (on tmpfs: a
/// reboot clears it) carries the time of the last feed; a clean stop removes
/// it. A pvcd that finds one left behind waits out the watchdog's timeout
/// before opening the device (``SelfFence/waitBeforeArming(sinceLastFeed:timeout:interval:)``),
/// so a quick restart never feeds the watchdog of a daemon that crashed.
final class Watchdog: Sendable {
  let path: String
  let stamp: String?
  private let handle: FileHandle

  /// Opens (and so arms) the device, first waiting out a predecessor's armed watchdog found by `stamp`.
  static func open(
    path: String, stamp: String?, timeout: Duration, interval: Duration, logger: Logger
  ) async throws -> Watchdog {
    if let stamp, let modified = try? FileManager.default.attributesOfItem(atPath: stamp)[.modificationDate] as? Date {
      let since = Duration.milliseconds(Int64(max(0, min(Date().timeIntervalSince(modified), 86400)) * 1000))
      let wait = SelfFence.waitBeforeArming(sinceLastFeed: since, timeout: timeout, interval: interval)
      if wait > .zero {
        logger.warning(
          "the watchdog \(path) was left armed by a daemon that did not stop cleanly; waiting \(wait) before opening it"
        )
        try await Task.sleep(for: wait)
      }
    }
    return try Watchdog(path: path, stamp: stamp)
  }

  /// Opens (and so arms) the device.
  init(path: String, stamp: String? = nil) throws {
    self.path = path
    self.stamp = stamp
    guard let handle = FileHandle(forWritingAtPath: path) else {
      throw PrimaryDutyError.failed("cannot open the watchdog \(path)")
    }
    self.handle = handle
    touchStamp()
  }

  /// Feeds the watchdog.
  func feed() {
    try? handle.write(contentsOf: Data("1".utf8))
    touchStamp()
  }

  /// Disarms the watchdog on a clean stop.
  func disarm() {
    try? handle.write(contentsOf: Data("V".utf8))
    try? handle.close()
    if let stamp { try? FileManager.default.removeItem(atPath: stamp) }
  }

  private func touchStamp() {
    guard let stamp else { return }
    let directory = (stamp as NSString).deletingLastPathComponent
    try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    if !FileManager.default.createFile(atPath: stamp, contents: Data(path.utf8)) {
      try? FileManager.default.setAttributes([.modificationDate: Date()], ofItemAtPath: stamp)
    }
  }
}
