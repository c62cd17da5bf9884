import Synchronization

/// A live, in-memory view of every VM, kept current by ZooKeeper watches: the
/// way long-running processes (the API server, the web UI) answer VM listings
/// without reading the cluster each time.
///
/// Start it with ``start(zookeeper:)``, which returns once every VM is loaded;
/// afterwards only what changes is read again, and listings are answered from
/// memory (a VM's information is rebuilt only after one of its keys changed).
public final class VMView: Sendable {
  private let zookeeper: ZooKeeper
  private let store: Store
  private let watch: PathWatch
  private let membership = Mutex<Task<Void, Never>?>(nil)
  private let signals: AsyncStream<Void>
  private let wake: AsyncStream<Void>.Continuation

  /// The view's data, changed by the watch handler (which must not block).
  final class Store: Sendable {
    struct State {
      var values: [String: ZNodeData] = [:]
      var children: [String: [String]] = [:]
      var uuids: [String] = []
      /// Children of `/domains` that are not VMs, reported at the next listing.
      var invalid: [RecordProblem] = []
      var watched: Set<String> = []
      var watchedTags: [String: Set<String>] = [:]
      var cache: [String: VMInfo] = [:]
      /// Bumped on every change to a VM, so that a rebuild started before a change is not kept.
      var versions: [String: Int] = [:]
      /// Bumped on every change the view sees.
      var generation = 0
      /// Paths changed whose new values have not arrived yet.
      var stale: Set<PathWatch.Update.Path> = []
      /// Whether VMs or tags appeared or went and are not watched (or forgotten) yet.
      var membershipChanged = false
    }
    let state = Mutex(State())
  }

  private init(zookeeper: ZooKeeper) {
    self.zookeeper = zookeeper
    let store = Store()
    self.store = store
    let (signals, wake) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    self.signals = signals
    self.wake = wake
    watch = zookeeper.watchPaths(
      marks: { path, changed in
        store.state.withLock { s in
          if changed { s.stale.insert(path) } else { s.stale.remove(path) }
        }
      },
      { update in
        Self.apply(update, to: store)
        wake.yield()
      })
  }

  /// Loads every VM and starts following changes.
  public static func start(zookeeper: ZooKeeper) async throws -> VMView {
    let view = VMView(zookeeper: zookeeper)
    try await view.watch.add(children: [Layout.base.path(.domains)])
    try await syncMembership(view.watch, view.store)
    _ = try view.list(VMFilter())  // builds the cache
    // Only now follow membership changes in the background (before, this loop did it).
    let (watch, store, signals) = (view.watch, view.store, view.signals)
    view.membership.withLock {
      $0 = Task { for await _ in signals { try? await syncMembership(watch, store) } }
    }
    return view
  }

  /// Stops following changes.
  public func stop() async {
    watch.cancel()
    wake.finish()
    membership.withLock { $0?.cancel() }
  }

  /// The VMs matching a filter, sorted by name, from memory.
  public func list(_ filter: VMFilter) throws -> [VMInfo] {
    let matcher = try VMFilter.Matcher(filter)
    // Take what needs rebuilding, rebuild it without holding the lock, then keep it.
    var problems: [RecordProblem] = []
    let (cached, stale) = store.state.withLock {
      s -> ([VMInfo], [(String, Int, Record<DomainKey>, [VMTag], [VMSnapshot])]) in
      problems = s.invalid
      s.invalid = []
      var cached: [VMInfo] = []
      var stale: [(String, Int, Record<DomainKey>, [VMTag], [VMSnapshot])] = []
      for uuid in s.uuids {
        if let info = s.cache[uuid] {
          cached.append(info)
        } else if let parts = Self.parts(of: uuid, in: s) {
          stale.append((uuid, s.versions[uuid] ?? 0, parts.0, parts.1, parts.2))
        }
      }
      return (cached, stale)
    }
    let rebuilt = stale.map { uuid, version, record, tags, snapshots in
      (uuid, version, VMInfo(uuid: uuid, record: record, tags: tags, snapshots: snapshots, problems: &problems))
    }
    if !problems.isEmpty {
      let zookeeper = self.zookeeper
      Task { await RecordProblems.report(problems, zookeeper: zookeeper) }
    }
    store.state.withLock { s in
      for (uuid, version, info) in rebuilt where (s.versions[uuid] ?? 0) == version { s.cache[uuid] = info }
    }
    return (cached + rebuilt.map(\.2)).filter {
      matcher.matches(uuid: $0.uuid, name: $0.name, node: $0.node, state: $0.state, tags: $0.tags.map(\.name))
    }.sorted { $0.name < $1.name }
  }

  /// A number that changes whenever anything in the view changes: equal
  /// generations mean equal listings (for caching what is derived from them).
  public var generation: Int { store.state.withLock { $0.generation } }

  /// Whether the view holds every change announced so far: true at once
  /// unless a change is on its way, then as soon as it has arrived (within a
  /// round trip), `false` if `timeout` passes first. After this process's own
  /// write returns, a settled view shows it.
  public func settled(within timeout: Duration) async -> Bool {
    let deadline = ContinuousClock.now + timeout
    while true {
      if store.state.withLock({ $0.stale.isEmpty && !$0.membershipChanged }) { return true }
      guard ContinuousClock.now < deadline else { return false }
      try? await Task.sleep(for: .milliseconds(1))
    }
  }

  /// The number of VMs in the view.
  public var count: Int { store.state.withLock { $0.uuids.count } }

  // MARK: Keeping the view

  private static func apply(_ update: PathWatch.Update, to store: Store) {
    store.state.withLock { s in
      s.generation += 1
      if update.path == Layout.base.path(.domains) {
        let checked = Layout.domainRefs(update.children ?? [])
        s.uuids = checked.uuids
        s.invalid = checked.problems
        s.membershipChanged = true
        return
      }
      switch update.kind {
      case .data: s.values[update.path] = update.data
      case .children:
        s.children[update.path] = update.children
        if update.path.hasSuffix("/tags") { s.membershipChanged = true }
      }
      // `/domains/<uuid>/...`: that VM changed.
      let parts = update.path.split(separator: "/")
      if parts.count >= 2 {
        let uuid = String(parts[1])
        s.cache[uuid] = nil
        s.versions[uuid, default: 0] += 1
      }
    }
  }

  /// Watches the keys of VMs (and tags) that appeared, and forgets those that went.
  private static func syncMembership(_ watch: PathWatch, _ store: Store) async throws {
    while true {
      let (added, removed, tagChanges) = store.state.withLock {
        s -> ([String], [String], [(String, Set<String>, Set<String>)]) in
        let current = Set(s.uuids)
        let added = current.subtracting(s.watched).sorted()
        let removed = s.watched.subtracting(current).sorted()
        s.watched = current
        for uuid in removed {
          s.cache[uuid] = nil
          s.watchedTags[uuid] = nil
        }
        var tagChanges: [(String, Set<String>, Set<String>)] = []
        for uuid in current.subtracting(added) {
          guard let ref = try? Layout.domain(uuid), let names = s.children[ref.path(.tags)] else { continue }
          let wanted = Set(names)
          let have = s.watchedTags[uuid] ?? []
          if wanted != have {
            tagChanges.append((uuid, wanted.subtracting(have), have.subtracting(wanted)))
            s.watchedTags[uuid] = wanted
          }
        }
        if added.isEmpty && removed.isEmpty && tagChanges.isEmpty { s.membershipChanged = false }
        return (added, removed, tagChanges)
      }
      if added.isEmpty && removed.isEmpty && tagChanges.isEmpty { return }
      let refs = added.compactMap { try? Layout.domain($0) }
      try await watch.add(
        data: refs.flatMap { ref in VMRecords.infoKeys.map { ref.path($0) } },
        children: refs.flatMap { [$0.path(.tags), $0.path(.snapshots)] })
      let gone = removed.compactMap { try? Layout.domain($0) }
      watch.remove(
        data: gone.flatMap { ref in VMRecords.infoKeys.map { ref.path($0) } },
        children: gone.flatMap { [$0.path(.tags), $0.path(.snapshots)] })
      var tagPaths: [String] = []
      var oldTagPaths: [String] = []
      for (uuid, newTags, oldTags) in tagChanges {
        tagPaths += newTags.compactMap { try? Layout.tag($0, domain: uuid) }.flatMap {
          [$0.path(.type), $0.path(.protected)]
        }
        oldTagPaths += oldTags.compactMap { try? Layout.tag($0, domain: uuid) }.flatMap {
          [$0.path(.type), $0.path(.protected)]
        }
      }
      watch.remove(data: oldTagPaths)
      if !tagPaths.isEmpty { try await watch.add(data: tagPaths) }
    }
  }

  /// A VM's record, tags and snapshots from the view, or `nil` if not loaded yet.
  private static func parts(of uuid: String, in s: Store.State) -> (Record<DomainKey>, [VMTag], [VMSnapshot])? {
    guard let ref = try? Layout.domain(uuid), s.values[ref.path(.root)] != nil else { return nil }
    var values: [DomainKey: String] = [:]
    for key in VMRecords.infoKeys { values[key] = s.values[ref.path(key)]?.string }
    // A tag appears once its keys are loaded (never briefly with guessed values).
    let tags = (s.children[ref.path(.tags)] ?? []).sorted().compactMap { name -> VMTag? in
      guard let tag = try? Layout.tag(name, domain: uuid), let type = s.values[tag.path(.type)],
        let protected = s.values[tag.path(.protected)]
      else { return nil }
      return VMTag(name: name, type: type.string, protected: protected.string.lowercased() == "true")
    }
    let snapshots = (s.children[ref.path(.snapshots)] ?? []).map {
      VMSnapshot(name: $0, timestamp: "", age: "", xmlDiffLines: [], rbdSnapshots: [])
    }
    return (Record(basePath: ref.basePath, values: values), tags, snapshots)
  }
}
