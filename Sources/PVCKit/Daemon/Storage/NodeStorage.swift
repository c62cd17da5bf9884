import Foundation
import Logging

/// A node's part in the cluster's storage: the libvirt secret QEMU reaches
/// Ceph with (defined at start), and, before a VM starts here, its RBD disks
/// completed with the monitors and the secret, and the locks a dead holder
/// left on them broken, only when that holder cannot write any more.
///
/// The lock rule: a lock held from the address of a node that was fenced
/// (power confirmed off) or whose VMs were recovered after it self-fenced is
/// broken (librbd also blocklists the holder); a lock held from this node is
/// broken too (the VM is starting here, so its old QEMU is gone); a lock held
/// from anywhere else (a node that runs, an address no node has) is never
/// broken: the VM fails to start, saying who holds which volume.
final class NodeStorage: Sendable {
  /// What the node needs.
  struct Settings: Sendable {
    /// The cluster's `ceph.conf`.
    var cephConfigurationFile: String
    /// How QEMU reaches Ceph.
    var client: RBDClientSettings
    /// The addresses each node may reach Ceph from (its core network addresses).
    var addresses: @Sendable (String) -> [String]
    /// Ceph's cluster name for the OSDs' local paths.
    var cluster = "ceph"
    /// Where the node keeps its OSD daemons' pid files.
    var runtimeDirectory = "/run/pvc/ceph"
  }

  let settings: Settings
  let zookeeper: ZooKeeper
  let node: String
  let logger: Logger
  let ceph: CephLink
  /// The OSD daemons this node runs.
  let osds: OSDDaemons

  init(settings: Settings, zookeeper: ZooKeeper, node: String, logger: Logger) {
    self.settings = settings
    self.zookeeper = zookeeper
    self.node = node
    self.logger = logger
    ceph = CephLink(CephAccess(configurationFile: settings.cephConfigurationFile, user: settings.client.user))
    osds = OSDDaemons(settings: settings, zookeeper: zookeeper, node: node, logger: logger)
  }

  /// Defines the Ceph secret in this node's libvirt from the keyring (a problem is logged: VMs with RBD disks then
  /// fail to start, saying so).
  func defineSecret(in libvirt: LibvirtConnection) async {
    let client = settings.client
    guard let uuid = client.secretUUID else { return }
    do {
      guard let file = client.keyringFile else { throw StorageError.invalid("no keyring file is configured") }
      let text = try String(contentsOfFile: file, encoding: .utf8)
      guard let key = RBDClientSettings.key(of: client.user, inKeyring: text) else {
        throw StorageError.invalid("\(file) has no key for client.\(client.user)")
      }
      try await libvirt.defineCephSecret(uuid: uuid, user: client.user, key: key)
      logger.info("storage: Ceph secret \(uuid) for client.\(client.user) defined in libvirt")
    } catch {
      logger.warning("storage: the Ceph secret could not be defined: \(error)")
    }
  }

  /// A refusal to start a VM whose volume another holder may still write.
  struct LockRefusal: Error, CustomStringConvertible {
    var description: String
  }

  /// The VM's definition ready to start here: RBD disks completed, dead holders' locks broken.
  /// - Throws: ``LockRefusal`` when a live holder has a lock; Ceph's errors.
  func prepare(_ xml: String) async throws -> String {
    let volumes = RBDDiskPlan.volumes(xml)
    guard !volumes.isEmpty else { return xml }
    let completed = try RBDDiskPlan.completing(xml, with: settings.client)
    let states = try await nodeStates()
    for volume in volumes {
      let parts = volume.split(separator: "/", maxSplits: 1).map(String.init)
      guard parts.count == 2 else { continue }
      try await ceph.with { rados in
        let images = try RBDPool(rados, pool: parts[0])
        for locker in try await images.lockers(of: parts[1]) {
          let owner = locker.ipv4.flatMap { ip in states.keys.sorted().first { settings.addresses($0).contains(ip) } }
          let state = owner.flatMap { states[$0] }
          if let owner, owner == self.node || state.map(Self.cannotWrite) == true {
            logger.info(
              "storage: breaking the lock of \(locker.client) (\(locker.address), node \(owner)) on \(volume)")
            try await images.breakLock(locker, of: parts[1])
          } else {
            let who = owner.map { "node \($0), \(state?.daemon ?? "?")" } ?? "no node of this cluster"
            throw LockRefusal(
              description:
                "RBD volume \(volume) is locked by \(locker.client) at \(locker.address) (\(who)), which may still write to it: stop it there, or flush the VM's locks once it cannot"
            )
          }
        }
      }
    }
    return completed
  }

  /// Frees every lock on a stopped VM's volumes (`pvc vm flush-locks`), except one held from a node that reports
  /// the VM running, which is refused. Returns what was freed.
  func flushLocks(_ volumes: [String], of uuid: String) async throws -> [String] {
    let names = try await zookeeper.children(Layout.base.path(.nodes)).filter { (try? Layout.node($0)) != nil }
    let running = try await zookeeper.records(try names.map { try Layout.node($0) }, keys: [.runningDomains])
    let hosts = Set(zip(names, running).filter { $0.1.value(.runningDomains).contains(uuid) }.map(\.0))
    var freed: [String] = []
    for volume in volumes {
      let parts = volume.split(separator: "/", maxSplits: 1).map(String.init)
      guard parts.count == 2 else { continue }
      let done = try await ceph.with { rados -> [String] in
        let images = try RBDPool(rados, pool: parts[0])
        var done: [String] = []
        for locker in try await images.lockers(of: parts[1]) {
          if let ip = locker.ipv4, let host = hosts.sorted().first(where: { settings.addresses($0).contains(ip) }) {
            throw LockRefusal(
              description: "node \(host) reports the VM running and holds the lock on \(volume): stop the VM first")
          }
          try await images.breakLock(locker, of: parts[1])
          done.append("\(volume) (\(locker.client) at \(locker.address))")
        }
        return done
      }
      freed += done
    }
    return freed
  }

  /// Whether a node in this state cannot write any more: fenced (power confirmed off), or dead with its VMs
  /// recovered (which happens only after a confirmed power-off or a self-fence).
  static func cannotWrite(_ state: (daemon: String, domain: String)) -> Bool {
    state.daemon == NodeDaemonState.fenced.rawValue
      || (state.daemon == NodeDaemonState.dead.rawValue
        && [NodeDomainState.fenceFlush.rawValue, NodeDomainState.flushed.rawValue].contains(state.domain))
  }

  /// Every node's daemon and domain state.
  private func nodeStates() async throws -> [String: (daemon: String, domain: String)] {
    let names = try await zookeeper.children(Layout.base.path(.nodes)).filter { (try? Layout.node($0)) != nil }
    let refs = try names.map { try Layout.node($0) }
    let records = try await zookeeper.records(refs, keys: [.daemonState, .domainState])
    var states: [String: (daemon: String, domain: String)] = [:]
    for (name, record) in zip(names, records) {
      states[name] = (record.value(.daemonState), record.value(.domainState))
    }
    return states
  }
}
