import Logging
import Synchronization

/// The primary-coordinator role on one coordinator: contends for the lease,
/// takes over (starting the primary duties) and relinquishes (stopping them),
/// following ``PrimaryDecision``, and keeps `routerstate` and
/// `/config/primary_node` as upstream shows them.
final class PrimaryAgent: Sendable {
  let zookeeper: ZooKeeper
  let identity: NodeIdentity
  let interval: Duration
  let duties: [any PrimaryDuty]
  let logger: Logger

  private struct State {
    var dutiesRunning = false
    var standDownUntil: ContinuousClock.Instant?
    /// The daemon is stopping: never take the role again.
    var resigned = false
  }
  private let state = Mutex(State())
  private let wake: AsyncStream<Void>.Continuation
  private let wakes: AsyncStream<Void>

  init(
    zookeeper: ZooKeeper, identity: NodeIdentity, interval: Duration, duties: [any PrimaryDuty],
    logger: Logger
  ) {
    self.zookeeper = zookeeper
    self.identity = identity
    self.interval = interval
    self.duties = duties
    self.logger = logger
    (wakes, wake) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
  }

  /// Whether this node runs the primary duties now.
  var isPrimary: Bool { state.withLock { $0.dutiesRunning } }

  /// Runs until cancelled; then stops the duties (without releasing the lease:
  /// use ``resign(timeout:)`` for a handover).
  func run() async {
    await withTaskGroup(of: Void.self) { group in
      group.addTask { for await _ in self.zookeeper.watchData(Layout.base.path(.primaryNode)) { self.wake.yield() } }
      group.addTask { for await _ in self.zookeeper.watchData(Layout.primaryLease) { self.wake.yield() } }
      group.addTask { for await _ in self.zookeeper.sessionStates() { self.wake.yield() } }
      group.addTask {
        while !Task.isCancelled {
          self.wake.yield()
          try? await Task.sleep(for: self.interval)
        }
      }
      for await _ in wakes {
        if Task.isCancelled { break }
        await evaluate()
      }
      group.cancelAll()
    }
    await stopDuties()
  }

  /// One look at the situation, and the step it calls for.
  func evaluate() async {
    guard !state.withLock({ $0.resigned }) else { return }
    let view: PrimaryView
    do {
      view = try await look()
    } catch {
      if isPrimary && zookeeper.sessionID == 0 { await stopDuties(reason: "disconnected from ZooKeeper") }
      return
    }
    do {
      switch PrimaryDecision.next(view) {
      case .wait:
        if !view.holdsLease && view.connected { try await setRouterState(.secondary, unless: .secondary) }
      case .contend:
        guard try await takeLease() else { return }
        try await takeOver(requested: view.requested)
      case .takeOver:
        try await takeOver(requested: view.requested)
      case .relinquish:
        try await relinquish(standDown: view.noneRequested)
      case .suspend:
        await stopDuties(reason: view.connected ? "the primary lease was lost" : "disconnected from ZooKeeper")
      }
    } catch {
      logger.warning("primary coordination: \(error)")
    }
  }

  private func look() async throws -> PrimaryView {
    let session = zookeeper.sessionID
    let values = try await zookeeper.getMany([Layout.base.path(.primaryNode), Layout.primaryLease])
    let requested = values[0]?.string ?? ""
    var requestedIsLive = false
    if requested != "none", let marker = try? Layout.liveness(requested) {
      requestedIsLive = try await zookeeper.exists(marker) != nil
    }
    let lease = values[1]
    let standingDown = state.withLock { s in s.standDownUntil.map { ContinuousClock.now < $0 } ?? false }
    return PrimaryView(
      me: identity.name, requested: requested, leaseHolder: lease?.string,
      holdsLease: lease != nil && session != 0 && lease!.stat.ephemeralOwner == session,
      connected: session != 0, requestedIsLive: requestedIsLive, dutiesRunning: isPrimary,
      standingDown: standingDown)
  }

  /// Creates the lease; `false` if another node was faster.
  private func takeLease() async throws -> Bool {
    do {
      try await zookeeper.ensurePath(Layout.coordinationRoot)
      _ = try await zookeeper.create(Layout.primaryLease, identity.name, mode: .ephemeral)
      return true
    } catch let error as ZooKeeperError where error.code == .nodeExists {
      return false
    }
  }

  /// Becomes primary: records it, starts every duty, then says so.
  private func takeOver(requested: String) async throws {
    let start = ContinuousClock.now
    let node = try Layout.node(identity.name)
    if requested != identity.name { try await zookeeper.set(Layout.base.path(.primaryNode), identity.name) }
    try await zookeeper.set(node.path(.routerState), NodeCoordinatorState.takeover.rawValue)
    logger.info("taking over as primary coordinator")
    for duty in duties {
      do {
        try await duty.start()
        logger.info("primary duty started: \(duty.name)")
      } catch {
        logger.warning("primary duty \(duty.name) failed to start: \(error)")
      }
    }
    state.withLock { $0.dutiesRunning = true }
    try await zookeeper.set(node.path(.routerState), NodeCoordinatorState.primary.rawValue)
    logger.info("primary coordinator now (takeover took \(ContinuousClock.now - start))")
  }

  /// Gives the role up: stops the duties, then releases the lease.
  private func relinquish(standDown: Bool) async throws {
    let node = try Layout.node(identity.name)
    try await zookeeper.set(node.path(.routerState), NodeCoordinatorState.relinquish.rawValue)
    await stopDuties(reason: "relinquishing the primary role")
    if standDown { state.withLock { $0.standDownUntil = .now + interval * 3 } }
    if let lease = try? await zookeeper.get(Layout.primaryLease), lease.stat.ephemeralOwner == zookeeper.sessionID {
      try await zookeeper.delete(Layout.primaryLease, version: lease.stat.version)
    }
    try await zookeeper.set(node.path(.routerState), NodeCoordinatorState.secondary.rawValue)
    logger.info("secondary coordinator now")
  }

  private func stopDuties(reason: String? = nil) async {
    guard
      state.withLock({ s in
        defer { s.dutiesRunning = false }
        return s.dutiesRunning
      })
    else { return }
    if let reason { logger.info("stopping primary duties: \(reason)") }
    for duty in duties.reversed() {
      await duty.stop()
      logger.info("primary duty stopped: \(duty.name)")
    }
  }

  private func setRouterState(_ value: NodeCoordinatorState, unless current: NodeCoordinatorState) async throws {
    let path = try Layout.node(identity.name).path(.routerState)
    if try await zookeeper.string(path) != current.rawValue { try await zookeeper.set(path, value.rawValue) }
  }

  /// Hands the role over before this daemon stops: asks for no particular
  /// primary, gives the role up, and waits up to `timeout` for another
  /// coordinator to take it.
  func resign(timeout: Duration) async {
    state.withLock { $0.resigned = true }
    let me = identity.name
    guard let lease = try? await zookeeper.get(Layout.primaryLease), lease.stat.ephemeralOwner == zookeeper.sessionID
    else { return await stopDuties() }
    do {
      try await zookeeper.set(Layout.base.path(.primaryNode), "none")
      try await relinquish(standDown: true)
      let alive = try await zookeeper.children(Layout.livenessRoot).filter { $0 != me }
      let roles = try await zookeeper.getMany(alive.compactMap { try? Layout.node($0).path(.routerState) })
      let others = roles.filter { ($0?.string ?? "client") != NodeCoordinatorState.client.rawValue }
      guard !others.isEmpty else { return logger.info("no other node is alive to take the primary role") }
      let taken = await zookeeper.wait(for: Layout.primaryLease, timeout: timeout) { holder in
        holder != nil && holder != me
      }
      logger.info(taken ? "primary role handed over" : "no other coordinator took the primary role")
    } catch {
      logger.warning("handing over the primary role failed: \(error)")
    }
  }
}
