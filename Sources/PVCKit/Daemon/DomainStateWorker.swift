import Logging
import ServiceLifecycle

/// Carries out flush and unflush requests for this node: watches its domain
/// state and, on `flush`, moves its VMs away (then `flushed`); on `unflush`,
/// brings them back (then `ready`). A new request cancels one in progress.
struct DomainStateWorker: Sendable {
  let zookeeper: ZooKeeper
  let identity: NodeIdentity
  /// How many VMs move at once.
  let window: Int
  /// How long one VM may take to move.
  let timeout: Duration
  let logger: Logger

  /// Runs until cancelled, or until the daemon stops gracefully: then a flush
  /// or unflush in progress starts no more moves, lets those under way finish
  /// and is handed back (the domain state stays, and the next start carries on).
  func run() async {
    let inProgress = await cancelWhenGracefulShutdown { await self.follow() }
    guard let inProgress else { return }
    if Task.isShuttingDownGracefully {
      logger.info("stopping: letting the moves under way finish")
      await inProgress.value
    } else {
      inProgress.cancel()
    }
  }

  /// Follows the node's domain state; returns the request in progress when the watch ends.
  private func follow() async -> Task<Void, Never>? {
    guard let path = try? Layout.node(identity.name).path(.domainState) else { return nil }
    var current: (state: String, task: Task<Void, Never>)?
    for await value in zookeeper.watchData(path) {
      let state = value?.string ?? ""
      if current?.state == state { continue }
      current?.task.cancel()
      switch NodeDomainState(rawValue: state) {
      case .flush: current = (state, Task { await carry(out: .flush, path: path) })
      case .unflush: current = (state, Task { await carry(out: .unflush, path: path) })
      default: current = nil
      }
    }
    return current?.task
  }

  /// Runs one request, then records its result unless another request came meanwhile.
  private func carry(out request: NodeDomainState, path: String) async {
    let evacuation = NodeEvacuation(zookeeper: zookeeper, node: identity.name, logger: logger)
    logger.info("\(request == .flush ? "flushing" : "unflushing") node \(identity.name)")
    do {
      let stuck =
        request == .flush
        ? try await evacuation.flush(window: window, timeout: timeout)
        : try await evacuation.unflush(window: window, timeout: timeout)
      if stuck > 0 { logger.warning("\(stuck) VMs did not finish moving in time") }
      let result: NodeDomainState = request == .flush ? .flushed : .ready
      let now = try await zookeeper.get(path)
      guard now.string == request.rawValue, !Task.isCancelled else { return }
      try await zookeeper.set(path, result.rawValue, version: now.stat.version)
      logger.info("node \(identity.name) is \(result.rawValue)")
    } catch let interrupted as NodeEvacuation.Interrupted {
      logger.info(
        "\(request.rawValue) of node \(identity.name) handed back: \(interrupted.remaining) VMs left to move at the next start"
      )
    } catch is CancellationError {
      logger.warning("\(request.rawValue) of node \(identity.name) interrupted by a new request")
    } catch {
      logger.warning("\(request.rawValue) of node \(identity.name) failed: \(error)")
    }
  }
}
