import Foundation
import Logging

/// Converges one VM on this node: reads the VM's record, asks ``VMAction`` what
/// to do given what libvirt shows here, and does it. Runs one action at a time;
/// changes that arrive meanwhile are looked at when it finishes.
struct VMWorker: Sendable {
  let uuid: String
  let zookeeper: ZooKeeper
  let libvirt: LibvirtConnection
  let identity: NodeIdentity
  let view: NodeView
  let shutdownTimeout: Duration
  let policy: DomainPolicy
  var storage: NodeStorage? = nil
  let logger: Logger

  /// The values of the record an evaluation uses, with versions for checked writes.
  struct Snapshot: Sendable {
    var exists: Bool
    var name: String
    var state: VMState
    var stateVersion: Int32
    var node: String
    var nodeVersion: Int32
    var lastNode: String
    var method: MigrationMethod
    var maxDowntime: Int
  }

  var ref: ObjectRef<DomainKey> { try! Layout.domain(uuid) }

  func snapshot() async throws -> Snapshot {
    let keys: [DomainKey] = [.root, .state, .node, .lastNode, .migrationMethod, .migrationMaxDowntime]
    let values = try await zookeeper.getMany(keys.map { ref.path($0) })
    return Snapshot(
      exists: values[0] != nil, name: values[0]?.string ?? "", state: VMState(rawValue: values[1]?.string ?? ""),
      stateVersion: values[1]?.stat.version ?? -1, node: values[2]?.string ?? "",
      nodeVersion: values[2]?.stat.version ?? -1, lastNode: values[3]?.string ?? "",
      method: MigrationMethod(rawValue: (values[4]?.string ?? "").lowercased()) ?? .none,
      maxDowntime: (values[5]?.string).flatMap { Int(bounded: $0) }.map { min(max($0, 1), 3_600_000) } ?? 300)
  }

  func local() async throws -> LocalDomain {
    guard let state = try await libvirt.state(of: uuid) else { return .absent }
    return state.name == "running" ? .running : (state.isActive ? .transitional : .absent)
  }

  /// Looks at the VM once and acts. Returns `false` once the VM's record is gone
  /// (and it no longer runs here): the worker can end.
  func evaluate() async -> Bool {
    do {
      let vm = try await snapshot()
      let here = try await local()
      if !vm.exists {
        if here != .absent {
          logger.info("VM \(uuid) was removed from the cluster; stopping it")
          try await libvirt.destroy(uuid)
        }
        await view.assign(uuid, nil)
        return false
      }
      await account(vm)
      let action = VMAction.decide(
        state: vm.state, node: vm.node, migrationMethod: vm.method, here: identity.name, local: here)
      if action != .none { logger.info("VM \(vm.name) (\(vm.state), node \(vm.node)): \(action)") }
      try await perform(action, vm)
    } catch {
      logger.warning("VM \(uuid): \(error)")
    }
    return true
  }

  /// Keeps the node's accounting of its VMs' memory up to date.
  private func account(_ vm: Snapshot) async {
    guard vm.node == identity.name else { return await view.assign(uuid, nil) }
    let xml = (try? await zookeeper.string(ref.path(.xml))) ?? nil
    let summary = xml.flatMap { try? DomainXML($0).summary }
    await view.assign(uuid, .init(memoryMiB: summary?.memoryMiB ?? 0, vcpus: summary?.vcpus ?? 0))
  }

  private func perform(_ action: VMAction, _ vm: Snapshot) async throws {
    switch action {
    case .none:
      return
    case .start:
      try await start(vm)
    case .shutdown:
      if try await shutdown(vm) { try await recordState(.stop, ifStill: vm) }
    case .stop, .terminate:
      try await libvirt.destroy(uuid)
    case .restart:
      guard try await shutdown(vm) else { return }
      try await start(vm, recordStart: true)
    case .migrateOut(let live, let fallback):
      try await migrateOut(vm, live: live, fallback: fallback)
    case .acceptArrival:
      try await acceptArrival(vm)
    case .record(let state):
      try await recordState(state, ifStill: vm)
    }
  }

  /// Writes `state` unless the state changed since `vm` was read.
  private func recordState(_ state: VMState, ifStill vm: Snapshot) async throws {
    do {
      try await zookeeper.setData(ref.path(.state), data: Array(state.rawValue.utf8), version: vm.stateVersion)
    } catch let error as ZooKeeperError where error.code == .badVersion {
      return  // a newer request won; it will be evaluated next
    }
  }

  /// Starts the VM from its definition in the cluster; a failure is recorded as `fail` with libvirt's reason.
  private func start(_ vm: Snapshot, recordStart: Bool = false) async throws {
    let xml = try await zookeeper.string(ref.path(.xml)) ?? ""
    do {
      // What reaches the host is refused here too, whoever wrote the definition.
      if let summary = try? DomainXML(stored: xml).summary { try policy.check(summary) }
      let ready = try await storage?.prepare(xml) ?? xml
      try await libvirt.createTransient(xml: ready)
    } catch let error as NodeStorage.LockRefusal {
      return try await recordFailure(vm, error.description)
    } catch let error as CephError {
      return try await recordFailure(vm, error.description)
    } catch let error as LibvirtError {
      return try await recordFailure(vm, error.message)
    } catch let error as VMError {
      return try await recordFailure(vm, error.description)
    }
    var operations: [ZooKeeperOperation] = [.set(ref.path(.failedReason), "")]
    if recordStart { operations.append(.set(ref.path(.state), VMState.start.rawValue)) }
    try await zookeeper.multi(operations)
    try await updateVNC()
    logger.info("VM \(vm.name) started")
  }

  /// Records that the VM could not start, with why (unless it was moved meanwhile).
  private func recordFailure(_ vm: Snapshot, _ reason: String) async throws {
    logger.warning("VM \(vm.name) failed to start: \(reason)")
    _ = try? await zookeeper.multi([
      .check(path: ref.path(.node), version: vm.nodeVersion), .set(ref.path(.state), VMState.fail.rawValue),
      .set(ref.path(.failedReason), reason),
    ])
  }

  /// Asks the guest to shut down, forcing it off after the timeout.
  /// - Returns: `false` if the request was withdrawn (the state changed) meanwhile.
  private func shutdown(_ vm: Snapshot) async throws -> Bool {
    try? await libvirt.requestShutdown(uuid)
    let deadline = ContinuousClock.now + shutdownTimeout
    while ContinuousClock.now < deadline {
      if try await local() == .absent { return true }
      let current = VMState(rawValue: try await zookeeper.string(ref.path(.state)) ?? "")
      if current != vm.state {
        logger.info("VM \(vm.name): shutdown withdrawn (state is now \(current))")
        return false
      }
      try await Task.sleep(for: .milliseconds(250))
    }
    logger.warning("VM \(vm.name) did not shut down within \(shutdownTimeout); forcing it off")
    try await libvirt.destroy(uuid)
    return true
  }

  /// Sends the VM to its assigned node.
  private func migrateOut(_ vm: Snapshot, live: Bool, fallback: Bool) async throws {
    if live {
      do {
        try await libvirt.migrate(uuid, to: identity.peerURI(vm.node), maxDowntime: vm.maxDowntime)
        // The sender records the end: only now is the source side finished with it.
        try await zookeeper.multi([
          .check(path: ref.path(.node), version: vm.nodeVersion), .set(ref.path(.state), VMState.start.rawValue),
          .set(ref.path(.failedReason), ""),
        ])
        logger.info("VM \(vm.name) live-migrated to \(vm.node)")
        return
      } catch {
        logger.warning("VM \(vm.name): live migration to \(vm.node) failed: \(error)")
        if !fallback {
          // Live migration is required: it stays here, running.
          let previous = vm.state == .unmigrate ? vm.node : (vm.lastNode == identity.name ? "" : vm.lastNode)
          try await zookeeper.multi([
            .check(path: ref.path(.node), version: vm.nodeVersion), .set(ref.path(.state), VMState.start.rawValue),
            .set(ref.path(.node), identity.name), .set(ref.path(.lastNode), previous),
          ])
          return
        }
      }
    }
    // By shutdown: once it is off here, the target starts it.
    guard try await shutdown(vm) else { return }
    try await zookeeper.multi([
      .check(path: ref.path(.node), version: vm.nodeVersion), .set(ref.path(.state), VMState.start.rawValue),
    ])
    logger.info("VM \(vm.name) shut down for migration to \(vm.node)")
  }

  /// The VM runs here while its record still says it is migrating here. The
  /// sender records the end of a live migration once its side is finished;
  /// if it does not within the grace period (it died), this node records it.
  private func acceptArrival(_ vm: Snapshot) async throws {
    let deadline = ContinuousClock.now + Self.arrivalGrace
    while ContinuousClock.now < deadline {
      if try await zookeeper.string(ref.path(.state)) != vm.state.rawValue { break }
      try await Task.sleep(for: .milliseconds(200))
    }
    do {
      try await zookeeper.multi([
        .check(path: ref.path(.state), version: vm.stateVersion), .set(ref.path(.state), VMState.start.rawValue),
        .set(ref.path(.failedReason), ""),
      ])
      logger.warning("VM \(vm.name) arrived; its sender did not record it, so this node did")
    } catch let error as ZooKeeperError where error.code == .badVersion {
      logger.info("VM \(vm.name) arrived from \(vm.lastNode.isEmpty ? "its previous node" : vm.lastNode)")
    }
    try await updateVNC()
  }

  /// How long a receiving node waits for the sender to record a live migration's end.
  static let arrivalGrace: Duration = .seconds(10)

  /// Records the VNC listener from the live definition (`listen:port`, or empty).
  private func updateVNC() async throws {
    let live = try? await libvirt.xml(of: uuid)
    let graphics = live.flatMap { try? DomainXML($0).summary.graphics }
    let value = graphics.map { "\($0.listen):\($0.port)" } ?? ""
    try await zookeeper.set(ref.path(.vnc), value)
  }
}
