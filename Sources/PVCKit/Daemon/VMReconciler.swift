import Logging
import Synchronization

/// Keeps every VM of the cluster converged on this node: one ``VMWorker`` per
/// VM, woken by changes to the VM's state or node in ZooKeeper, by libvirt
/// events for it, and by ``poke(_:)`` (the keepalive pokes the VMs it sees
/// here so that nothing is missed).
final class VMReconciler: Sendable {
  let zookeeper: ZooKeeper
  let libvirt: LibvirtConnection
  let identity: NodeIdentity
  let view: NodeView
  let shutdownTimeout: Duration
  let policy: DomainPolicy
  /// The node's storage agent (storage on).
  let storage: NodeStorage?
  let logger: Logger
  private let wakers = Mutex<[String: AsyncStream<Void>.Continuation]>([:])

  init(
    zookeeper: ZooKeeper, libvirt: LibvirtConnection, identity: NodeIdentity, view: NodeView,
    shutdownTimeout: Duration, policy: DomainPolicy, storage: NodeStorage? = nil, logger: Logger
  ) {
    self.policy = policy
    self.storage = storage
    self.zookeeper = zookeeper
    self.libvirt = libvirt
    self.identity = identity
    self.view = view
    self.shutdownTimeout = shutdownTimeout
    self.logger = logger
  }

  /// Wakes the worker of a VM (if it has one).
  func poke(_ uuid: String) {
    _ = wakers.withLock { $0[uuid] }?.yield()
  }

  /// The UUIDs that have a worker.
  var known: Set<String> { wakers.withLock { Set($0.keys) } }

  /// Runs until cancelled.
  func run() async {
    await withTaskGroup(of: Void.self) { group in
      group.addTask {
        for await event in self.libvirt.domainEvents() { self.poke(event.uuid) }
      }
      for await children in zookeeper.watchChildren(Layout.base.path(.domains)) {
        let current = Set(children?.names ?? [])
        for uuid in current where wakers.withLock({ $0[uuid] == nil }) && VMName.canonicalUUID(uuid) != nil {
          let (signals, waker) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
          wakers.withLock { $0[uuid] = waker }
          group.addTask { await self.work(uuid, signals: signals) }
        }
        // A VM whose record vanished: its worker stops it here if needed, then ends.
        for uuid in known.subtracting(current) { poke(uuid) }
      }
      group.cancelAll()
    }
  }

  /// One VM's worker loop.
  private func work(_ uuid: String, signals: AsyncStream<Void>) async {
    let worker = VMWorker(
      uuid: uuid, zookeeper: zookeeper, libvirt: libvirt, identity: identity, view: view,
      shutdownTimeout: shutdownTimeout, policy: policy, storage: storage, logger: logger)
    let ref = worker.ref
    await withTaskGroup(of: Void.self) { group in
      for path in [ref.path(.state), ref.path(.node)] {
        group.addTask {
          for await _ in self.zookeeper.watchData(path) { self.poke(uuid) }
        }
      }
      for await _ in signals {
        if !(await worker.evaluate()) { break }
      }
      group.cancelAll()
    }
    _ = wakers.withLock { $0.removeValue(forKey: uuid) }
  }
}
