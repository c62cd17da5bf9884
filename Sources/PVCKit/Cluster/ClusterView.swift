import Synchronization

/// PVCKit's watch-fed views of one cluster, for long-running programs (the
/// API server, the web UI, a Swift program that lists often): turned on with
/// ``PVCCluster/follow()``, after which the same calls (`cluster.vms.list`,
/// `cluster.nodes.list`, `cluster.status()`, `cluster.faults.list`) answer from
/// memory, kept current by ZooKeeper watches.
///
/// - VM listings come from a ``VMView`` loaded in the background; until it is
///   loaded they read the cluster, and concurrent identical listings share
///   one read.
/// - Everything else reads through a cache of the tree (`WatchedReads`): the
///   first read of a path watches it, later ones are answered from memory.
/// - A program always sees its own writes: a change announced by ZooKeeper
///   (which happens before the write that made it returns) is read again
///   before anything is answered from the changed paths.
public final class ClusterView: Sendable {
  let zookeeper: ZooKeeper
  let reads: WatchedReads
  private let vmView = Mutex<(view: VMView?, loading: Task<VMView?, Never>?)>((nil, nil))
  private let listings = Coalescer<ListingKey, [VMInfo]>()

  /// A listing shared by concurrent requests: only those made after the same writes.
  private struct ListingKey: Hashable, Sendable {
    var filter: VMFilter
    var writes: Int
  }

  /// How long a listing waits for the view to show announced changes before it reads the cluster instead.
  static let settleTimeout: Duration = .seconds(2)

  init(zookeeper: ZooKeeper) {
    self.zookeeper = zookeeper
    reads = WatchedReads(zookeeper: zookeeper)
  }

  /// Starts loading the VM view in the background (once).
  func start() {
    vmView.withLock { state in
      guard state.view == nil, state.loading == nil else { return }
      let zookeeper = self.zookeeper
      state.loading = Task { [weak self] in
        let view = try? await VMView.start(zookeeper: zookeeper)
        self?.vmView.withLock { $0 = (view, nil) }
        return view
      }
    }
  }

  /// Stops following the cluster.
  func stop() async {
    let (view, loading) = vmView.withLock { state in
      defer { state = (nil, nil) }
      return state
    }
    loading?.cancel()
    if let view {
      await view.stop()
    } else if let loaded = await loading?.value {
      await loaded.stop()
    }
    reads.stop()
  }

  /// Whether VM listings come from memory now.
  public var isLoaded: Bool { vmView.withLock { $0.view != nil } }

  /// A number that changes whenever any VM changes: equal generations mean
  /// equal listings (for caching what a front derives from them). `nil` while
  /// the view is loading.
  public var generation: Int? { vmView.withLock { $0.view?.generation } }

  /// The view's generation once it shows every change announced so far
  /// (see ``VMView/settled(within:)``); `nil` while it is loading or if it did
  /// not settle in time.
  public func settledGeneration() async -> Int? {
    guard let view = vmView.withLock({ $0.view }), await view.settled(within: Self.settleTimeout) else { return nil }
    return view.generation
  }

  /// The VMs matching `filter`: from the view once loaded and settled, else
  /// from `read` (shared by concurrent identical requests made after the same writes).
  func vms(_ filter: VMFilter, read: @escaping @Sendable () async throws -> [VMInfo]) async throws -> [VMInfo] {
    if let view = vmView.withLock({ $0.view }), await view.settled(within: Self.settleTimeout) {
      return try view.list(filter)
    }
    return try await listings.value(for: ListingKey(filter: filter, writes: zookeeper.writesFinished), read: read)
  }
}

/// Where a connection's operations find its views once ``PVCCluster/follow()`` made them.
final class ViewSlot: Sendable {
  private let current = Mutex<ClusterView?>(nil)

  /// The views, if the cluster is followed.
  var view: ClusterView? { current.withLock { $0 } }

  /// Makes (once) and starts the views over `zookeeper`.
  func follow(_ zookeeper: ZooKeeper) -> ClusterView {
    let view = current.withLock { current in
      if let view = current { return view }
      let view = ClusterView(zookeeper: zookeeper)
      current = view
      return view
    }
    view.start()
    return view
  }

  /// Stops and forgets the views.
  func stop() async {
    let view = current.withLock { current in
      defer { current = nil }
      return current
    }
    await view?.stop()
  }
}
