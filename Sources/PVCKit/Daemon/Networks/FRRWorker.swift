import Foundation
import Logging

/// Keeps this node's FRR running with its generated configuration (``FRRPlan``):
/// writes `frr.conf` when it differs, starts `zebra` and `bgpd` (each with its
/// pid file, in this node's namespace) when they are not running, restarts
/// `bgpd` when the configuration changed (a new set of nodes or coordinators)
/// and both when zebra died (bgpd would not give a new zebra its routes again),
/// and looks again every `interval`. A stopping pvcd leaves FRR running, as it
/// leaves its guests: their networks keep working through a daemon restart.
struct FRRWorker: Sendable {
  let plan: FRRPlan
  let logger: Logger
  var interval: Duration = .seconds(10)
  /// Where FRR's daemons are installed (Debian's package).
  var binaries = "/usr/lib/frr"
  let reported = FailureLog()

  /// Runs until cancelled.
  func run() async {
    while !Task.isCancelled {
      await reconcile()
      try? await Task.sleep(for: interval)
    }
  }

  func daemon(_ name: String) -> PidFileDaemon {
    PidFileDaemon(pidFile: plan.pidFile(name), marker: plan.pidFile(name))
  }

  /// One pass: the configuration file, then the daemons.
  func reconcile() async {
    let manager = FileManager.default
    let owner: [FileAttributeKey: Any] = [.ownerAccountName: "frr", .groupOwnerAccountName: "frr"]
    do {
      try manager.createDirectory(atPath: plan.directory, withIntermediateDirectories: true)
      try manager.setAttributes(owner.merging([.posixPermissions: 0o750]) { $1 }, ofItemAtPath: plan.directory)
      // The daemons run as `frr`: they must pass through the node's runtime directory and the dynamic
      // directory above it (PVCKit's own; nothing above those is changed).
      var parent = (plan.directory as NSString).deletingLastPathComponent
      for _ in 0..<2 {
        guard let mode = try manager.attributesOfItem(atPath: parent)[.posixPermissions] as? Int else { break }
        if mode & 0o001 == 0 { try manager.setAttributes([.posixPermissions: mode | 0o711], ofItemAtPath: parent) }
        parent = (parent as NSString).deletingLastPathComponent
      }
      let text = plan.text
      let changed = (try? String(contentsOfFile: plan.configurationFile, encoding: .utf8)) != text
      if changed {
        try text.write(toFile: plan.configurationFile, atomically: true, encoding: .utf8)
        try manager.setAttributes(
          owner.merging([.posixPermissions: 0o640]) { $1 }, ofItemAtPath: plan.configurationFile)
        if daemon("bgpd").pid != nil {
          logger.info("frr: configuration changed, restarting bgpd")
          await daemon("bgpd").stop()
        }
      }
      reported.forget("setup")
    } catch {
      if reported.isNew("setup") { logger.warning("frr: cannot write \(plan.configurationFile): \(error)") }
      return
    }
    // bgpd does not announce its routes again to a new zebra: when zebra is gone, both start afresh.
    if daemon("zebra").pid == nil { await daemon("bgpd").stop() }
    for name in ["zebra", "bgpd"] where daemon(name).pid == nil {
      do {
        let outcome = try await Command("\(binaries)/\(name)").run(plan.arguments(name), timeout: .seconds(15))
        if outcome.status == 0 {
          logger.info("frr: \(name) started (BGP EVPN with \(plan.peers.count) peers)")
          reported.forget(name)
        } else if reported.isNew(name) {
          logger.warning("frr: \(name) did not start: \(outcome.output.prefix(300))")
        }
      } catch {
        if reported.isNew(name) { logger.warning("frr: \(name) cannot run: \(error)") }
      }
    }
  }
}
