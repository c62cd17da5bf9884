import Synchronization

/// A watch-fed cache of the ZooKeeper tree for long-running programs: the
/// first read of a path reads it with a watch; later reads come from memory
/// until the path changes. It never answers from a value older than this
/// process's own last write (see ``ZooKeeper/watchPaths(marks:_:)``): a changed
/// path is read again, from ZooKeeper, until its new value has arrived.
///
/// What it holds stays bounded by what is read: the paths under an object
/// that disappears from a cached listing are forgotten (and no longer
/// watched), and values over ``largestKept`` bytes are never kept.
final class WatchedReads: ClusterReads {
  private let zookeeper: ZooKeeper
  private let store: Store
  private let watch: PathWatch

  /// Values larger than this are read each time rather than kept.
  static let largestKept = 256 << 10

  struct State {
    var data: [String: ZNodeData?] = [:]
    var children: [String: [String]?] = [:]
    /// Paths changed and not read again yet.
    var stale: Set<PathWatch.Update.Path> = []
    /// Bumped by every change seen (announced or arrived).
    var generation = 0
    /// Results derived from the cache, with the generation they were made at.
    var derived: [String: (generation: Int, value: any Sendable)] = [:]
    /// Paths being read for the first time (or again) by a reader.
    var requested: [String: Int] = [:]
    /// Paths to stop watching (a removed object's), handled outside the lock.
    var forgottenData: [String] = []
    var forgottenChildren: [String] = []
  }

  /// The cache's state, shared with the watch's handlers.
  final class Store: Sendable {
    let state = Mutex(State())
  }

  init(zookeeper: ZooKeeper) {
    self.zookeeper = zookeeper
    let store = Store()
    self.store = store
    watch = zookeeper.watchPaths(
      marks: { path, changed in
        store.state.withLock { s in
          s.generation &+= 1
          if changed { s.stale.insert(path) } else { s.stale.remove(path) }
        }
      },
      { update in store.state.withLock { Self.apply(update, to: &$0) } })
  }

  /// Stops following changes and forgets everything.
  func stop() {
    watch.cancel()
    store.state.withLock { $0 = State() }
  }

  /// The result of `compute` (which reads through this cache), made again only
  /// after something changed: kept when nothing changed while it was made,
  /// answered while nothing changed since and no change is on its way.
  func derived<Value: Sendable>(_ key: String, _ compute: @escaping @Sendable () async throws -> Value) async throws
    -> Value
  {
    let (start, kept) = store.state.withLock { s -> (Int, Value?) in
      let entry = s.derived[key]
      let current = s.stale.isEmpty && entry?.generation == s.generation
      return (s.generation, current ? entry?.value as? Value : nil)
    }
    if let kept { return kept }
    // Concurrent requests for the same result at the same generation share one computation.
    let value = try await deriving.value(for: DerivedKey(key: key, generation: start)) {
      let value = try await compute()
      self.store.state.withLock { s in
        if s.generation == start && s.stale.isEmpty { s.derived[key] = (start, value) }
      }
      return value as any Sendable
    }
    guard let value = value as? Value else { return try await compute() }
    return value
  }

  private struct DerivedKey: Hashable, Sendable {
    var key: String
    var generation: Int
  }
  private let deriving = Coalescer<DerivedKey, any Sendable>()

  /// How many paths are held (data and children), for tests.
  var count: Int { store.state.withLock { $0.data.count + $0.children.count } }

  func getMany(_ paths: [String]) async throws -> [ZNodeData?] {
    try await readBulk(data: paths, children: []).data
  }

  func childrenMany(_ paths: [String]) async throws -> [[String]?] {
    try await readBulk(data: [], children: paths).children
  }

  func readBulk(data paths: [String], children parents: [String]) async throws -> (
    data: [ZNodeData?], children: [[String]?]
  ) {
    let (missingData, missingChildren) = store.state.withLock { s in
      (
        paths.filter { s.data[$0] == nil || s.stale.contains(.init(path: $0, kind: .data)) },
        parents.filter { s.children[$0] == nil || s.stale.contains(.init(path: $0, kind: .children)) }
      )
    }
    if !missingData.isEmpty || !missingChildren.isEmpty {
      let asked = Set(missingData.map { "d" + $0 } + missingChildren.map { "c" + $0 })
      store.state.withLock { s in for key in asked { s.requested[key, default: 0] += 1 } }
      defer {
        store.state.withLock { s in
          for key in asked {
            s.requested[key, default: 1] -= 1
            if s.requested[key] == 0 { s.requested[key] = nil }
          }
        }
      }
      // Reads them with watches; their values reach `apply` before this returns.
      try await watch.add(data: Array(Set(missingData)), children: Array(Set(missingChildren)))
    }
    let (values, lists, large, forgotten) = store.state.withLock { s in
      let values = paths.map { s.data[$0] ?? nil }
      let lists = parents.map { s.children[$0] ?? nil }
      // Large values are answered once and not kept.
      let large = Set(missingData).filter { path in
        (s.data[path] ?? nil).map { $0.bytes.count > Self.largestKept } ?? false
      }
      for path in large { s.data[path] = nil }
      defer { (s.forgottenData, s.forgottenChildren) = ([], []) }
      return (values, lists, large, (s.forgottenData, s.forgottenChildren))
    }
    if !large.isEmpty || !forgotten.0.isEmpty || !forgotten.1.isEmpty {
      watch.remove(data: Array(large) + forgotten.0, children: forgotten.1)
    }
    return (values, lists)
  }

  private static func apply(_ update: PathWatch.Update, to s: inout State) {
    s.generation &+= 1
    let path = update.path
    switch update.kind {
    case .data:
      // Kept: what is held or asked for. A held node that is deleted is forgotten.
      if s.requested["d" + path] != nil || (update.data != nil && s.data[path] != nil) {
        s.data[path] = .some(update.data)
      } else if s.data[path] != nil {
        s.data[path] = nil
        s.stale.remove(.init(path: path, kind: .data))
        s.forgottenData.append(path)
      }
    case .children:
      let before = (s.children[update.path] ?? nil) ?? []
      if s.requested["c" + path] != nil || (update.children != nil && s.children[path] != nil) {
        s.children[path] = .some(update.children)
      } else if s.children[path] != nil {
        s.children[path] = nil
        s.stale.remove(.init(path: path, kind: .children))
        s.forgottenChildren.append(path)
      }
      // Children gone: what was read under them is forgotten.
      let gone = Set(before).subtracting(update.children ?? [])
      guard !gone.isEmpty else { return }
      let parent = path == "/" ? "/" : path + "/"
      // Whether `key` is a gone child or below one.
      func under(_ key: String) -> Bool {
        guard key.hasPrefix(parent) else { return false }
        return gone.contains(String(key.dropFirst(parent.count).prefix { $0 != "/" }))
      }
      let data = s.data.keys.filter(under)
      let lists = s.children.keys.filter(under)
      for key in data {
        s.data[key] = nil
        s.stale.remove(.init(path: key, kind: .data))
      }
      for key in lists {
        s.children[key] = nil
        s.stale.remove(.init(path: key, kind: .children))
      }
      s.forgottenData += data
      s.forgottenChildren += lists
    }
  }
}
