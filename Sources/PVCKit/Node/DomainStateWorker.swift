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
  let log: @Sendable (String) -> Void

  /// Runs until cancelled.
  func run() async {
    guard let path = try? Layout.node(identity.name).path(.domainState) else { return }
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
    current?.task.cancel()
  }

  /// Runs one request, then records its result unless another request came meanwhile.
  private func carry(out request: NodeDomainState, path: String) async {
    let evacuation = NodeEvacuation(zookeeper: zookeeper, node: identity.name, log: log)
    log("\(request == .flush ? "flushing" : "unflushing") node \(identity.name)")
    do {
      let stuck =
        request == .flush
        ? try await evacuation.flush(window: window, timeout: timeout)
        : try await evacuation.unflush(window: window, timeout: timeout)
      if stuck > 0 { log("\(stuck) VMs did not finish moving in time") }
      let result: NodeDomainState = request == .flush ? .flushed : .ready
      let now = try await zookeeper.get(path)
      guard now.string == request.rawValue, !Task.isCancelled else { return }
      try await zookeeper.set(path, result.rawValue, version: now.stat.version)
      log("node \(identity.name) is \(result.rawValue)")
    } catch is CancellationError {
      log("\(request.rawValue) of node \(identity.name) interrupted by a new request")
    } catch {
      log("\(request.rawValue) of node \(identity.name) failed: \(error)")
    }
  }
}
