import Foundation
import Logging

/// The OSD daemons of one node: every OSD recorded for this node
/// (`/ceph/osds/<id>/node`) runs `ceph-osd` here, started with a pid file in
/// the node's runtime directory and started again when it died (upstream has
/// systemd's `ceph-osd@<id>` do this). An OSD being removed is stopped and not
/// started again.
actor OSDDaemons {
  let settings: NodeStorage.Settings
  let zookeeper: ZooKeeper
  let node: String
  let logger: Logger
  /// OSDs on their way out: never started again by this process.
  private var retired: Set<String> = []
  private let reported = FailureLog()

  init(settings: NodeStorage.Settings, zookeeper: ZooKeeper, node: String, logger: Logger) {
    self.settings = settings
    self.zookeeper = zookeeper
    self.node = node
    self.logger = logger
  }

  /// The data directory of an OSD (`/var/lib/ceph/osd/<cluster>-<id>`, where ceph-volume activates it).
  nonisolated func dataDirectory(_ id: String) -> String { "/var/lib/ceph/osd/\(settings.cluster)-\(id)" }

  nonisolated func daemon(_ id: String) -> PidFileDaemon {
    let pidFile = "\(settings.runtimeDirectory)/osd.\(id).pid"
    return PidFileDaemon(pidFile: pidFile, marker: pidFile)
  }

  /// Runs until cancelled: a pass now, on every change of the OSD records, and every 10 s.
  func run() async {
    while !Task.isCancelled {
      await reconcile()
      try? await Task.sleep(for: .seconds(10))
    }
  }

  /// Starts every OSD recorded for this node that does not run (and was activated here).
  func reconcile() async {
    guard let ids = try? await zookeeper.childrenMany([Layout.base.path(.osds)])[0] else { return }
    let refs = ids.compactMap { id in (try? Layout.osd(id)).map { (id, $0) } }
    guard let records = try? await zookeeper.records(refs.map(\.1), keys: [.node]) else { return }
    for ((id, _), record) in zip(refs, records) where record.value(.node) == node && !retired.contains(id) {
      guard Int(id) != nil, daemon(id).pid == nil else { continue }
      guard FileManager.default.fileExists(atPath: dataDirectory(id) + "/whoami") else {
        if reported.isNew("data-\(id)") { logger.warning("storage: OSD \(id) has no data directory here: not started") }
        continue
      }
      await start(id)
    }
  }

  /// Starts `ceph-osd` for an activated OSD (it daemonizes and writes its pid file).
  func start(_ id: String) async {
    do {
      let manager = FileManager.default
      try OSDCommands.prepareLocalDirectories()
      try manager.createDirectory(atPath: settings.runtimeDirectory, withIntermediateDirectories: true)
      // The OSD drops to user ceph and writes its pid file there.
      try manager.setAttributes(
        [.ownerAccountName: "ceph", .groupOwnerAccountName: "ceph", .posixPermissions: 0o750],
        ofItemAtPath: settings.runtimeDirectory)
      // ceph-volume's mkfs ran as root and may have made the OSD's log file root's: the daemon runs as ceph.
      let log = "/var/log/ceph/\(settings.cluster)-osd.\(id).log"
      if manager.fileExists(atPath: log) {
        try? manager.setAttributes([.ownerAccountName: "ceph", .groupOwnerAccountName: "ceph"], ofItemAtPath: log)
      }
      let outcome = try await Command("/usr/bin/ceph-osd").run(
        OSDCommands.daemon(id: id, settings: settings, dataDirectory: dataDirectory(id), pidFile: daemon(id).pidFile),
        environment: OSDCommands.environment(settings), timeout: .seconds(60))
      if outcome.status == 0 {
        logger.info("storage: OSD \(id) started")
        reported.forget("start-\(id)")
      } else if reported.isNew("start-\(id)") {
        logger.warning("storage: OSD \(id) did not start: \(outcome.output.suffix(300))")
      }
    } catch {
      if reported.isNew("start-\(id)") { logger.warning("storage: OSD \(id) cannot start: \(error)") }
    }
  }

  /// Lets an OSD run again (its device was replaced or imported again).
  func reinstate(_ id: String) { retired.remove(id) }

  /// Stops an OSD for good (it is being removed).
  func retire(_ id: String) async {
    retired.insert(id)
    await daemon(id).stop(timeout: .seconds(30))
  }
}
