import CZooKeeper

/// What identifies one version of a watched value: a change gives a new fingerprint.
struct WatchFingerprint: Hashable {
  var created: Int64
  var modified: Int64
}

/// A value a watch can deliver.
protocol WatchedValue: Sendable {
  var fingerprint: WatchFingerprint { get }
}

extension ZNodeData: WatchedValue {
  var fingerprint: WatchFingerprint { WatchFingerprint(created: stat.czxid, modified: stat.mzxid) }
}

extension ZNodeChildren: WatchedValue {
  var fingerprint: WatchFingerprint { WatchFingerprint(created: stat.czxid, modified: stat.pzxid) }
}

/// The subscribers of one watched path and the last value they were given.
struct WatchEntry<Value: WatchedValue> {
  var subscribers: [Int: AsyncStream<Value?>.Continuation] = [:]
  var delivered = false
  var last: Value?
  var refreshing = false
  var dirty = false
  /// Change events seen for the path (counted when they arrive, before any re-read).
  var events = 0
  /// The event count when the read that produced ``last`` began.
  var lastReadAt = 0
  /// Subscribers that joined while ``last`` was in doubt, given nothing yet, with
  /// the event count they need a read to have started after.
  var waiting: [Int: Int] = [:]

  /// Whether ``last`` may be older than a change already announced (say, a
  /// write this client just made): then a new subscriber waits for the re-read.
  var isCurrent: Bool { delivered && lastReadAt == events }
}

extension ZooKeeper {
  /// Watches a node's data.
  ///
  /// The stream yields the node's current data (or `nil` while it does not
  /// exist) at once, then once for each change the client observes. Changes
  /// closer together than a round trip may be seen as one (ZooKeeper watches
  /// report state, not every event). The watch is re-armed after each change
  /// and after a session expiry; it ends when iteration stops or the client closes.
  /// Several watchers of one path share one ZooKeeper watch.
  public func watchData(_ path: String) -> AsyncStream<ZNodeData?> {
    subscribe(path, \.dataWatches) { client, path in try await client.readWatchedData(path) }
  }

  /// Watches a node's children, like ``watchData(_:)``: yields the current
  /// children (or `nil` while the node does not exist), then once per change.
  public func watchChildren(_ path: String) -> AsyncStream<ZNodeChildren?> {
    subscribe(path, \.childWatches) { client, path in try await client.readWatchedChildren(path) }
  }

  private typealias Reader<Value> = @Sendable (ZooKeeper, String) async throws -> Value?

  private func subscribe<Value: WatchedValue>(
    _ path: String, _ table: any WritableKeyPath<State, [String: WatchEntry<Value>]> & Sendable,
    read: @escaping Reader<Value>
  ) -> AsyncStream<Value?> {
    let (stream, continuation) = AsyncStream.makeStream(of: Value?.self)
    let (id, start) = state.withLock { s -> (Int?, Bool) in
      guard !s.closed else { return (nil, false) }
      let id = s.takeID()
      var entry = s[keyPath: table][path] ?? WatchEntry()
      entry.subscribers[id] = continuation
      if entry.isCurrent {
        continuation.yield(entry.last)
      } else if entry.delivered {
        entry.waiting[id] = entry.events
      }
      let start = !entry.isCurrent && !entry.refreshing
      s[keyPath: table][path] = entry
      return (id, start)
    }
    guard let id else {
      continuation.finish()
      return stream
    }
    continuation.onTermination = { [weak self] _ in
      self?.state.withLock { s in
        s[keyPath: table][path]?.subscribers.removeValue(forKey: id)
        s[keyPath: table][path]?.waiting.removeValue(forKey: id)
        if s[keyPath: table][path]?.subscribers.isEmpty == true { s[keyPath: table][path] = nil }
      }
    }
    if start { Task { await self.refresh(path, table, read: read) } }
    return stream
  }

  /// Reads `path` again with a watch and delivers the value if it changed.
  /// Concurrent refreshes of one path coalesce into one more read.
  private func refresh<Value: WatchedValue>(
    _ path: String, _ table: WritableKeyPath<State, [String: WatchEntry<Value>]>, read: Reader<Value>
  ) async {
    let claimed = state.withLock { s -> Bool in
      guard var entry = s[keyPath: table][path] else { return false }
      defer { s[keyPath: table][path] = entry }
      if entry.refreshing {
        entry.dirty = true
        return false
      }
      entry.refreshing = true
      return true
    }
    guard claimed else { return }
    while true {
      let value: Value?
      let readAt = state.withLock { $0[keyPath: table][path]?.events ?? 0 }
      do {
        value = try await read(self, path)
      } catch {
        // Closed, or a failure the next session's re-arm will repair.
        state.withLock { s in
          s[keyPath: table][path]?.refreshing = false
          s[keyPath: table][path]?.dirty = false
        }
        return
      }
      let again = state.withLock { s -> Bool in
        guard var entry = s[keyPath: table][path] else { return false }
        defer { s[keyPath: table][path] = entry }
        entry.lastReadAt = readAt
        // Yield under the lock so that deliveries stay in order; yield never blocks.
        if !entry.delivered || entry.last?.fingerprint != value?.fingerprint {
          entry.delivered = true
          entry.last = value
          for (id, subscriber) in entry.subscribers where entry.waiting[id] == nil { subscriber.yield(value) }
        }
        // Subscribers that joined while the value was in doubt get their first value
        // from a read that began after they joined.
        for (id, needed) in entry.waiting where readAt >= needed {
          entry.subscribers[id]?.yield(value)
          entry.waiting[id] = nil
        }
        let again = entry.dirty
        entry.dirty = false
        entry.refreshing = again
        return again
      }
      if !again { return }
    }
  }

  /// Reads a node with a data watch; if it is absent, leaves an existence watch.
  func readWatchedData(_ path: String) async throws -> ZNodeData? {
    while true {
      let data: ZNodeData? = try await perform("watch", path, retry: .idempotent) { session, done in
        session.get(path, watch: true) { code, data in done(code == ZNONODE.rawValue ? ZOK.rawValue : code, data) }
      }
      if let data { return data }
      if try await watchExistence(path) == nil { return nil }
    }
  }

  /// Lists a node's children with a child watch; if it is absent, leaves an existence watch.
  func readWatchedChildren(_ path: String) async throws -> ZNodeChildren? {
    while true {
      let children: ZNodeChildren? = try await perform("watch", path, retry: .idempotent) { session, done in
        session.children(path, watch: true) { code, children in
          done(code == ZNONODE.rawValue ? ZOK.rawValue : code, children)
        }
      }
      if let children { return children }
      if try await watchExistence(path) == nil { return nil }
    }
  }

  private func watchExistence(_ path: String) async throws -> ZNodeStat? {
    try await perform("watch", path, retry: .idempotent) { session, done in
      session.exists(path, watch: true) { code, stat in done(code == ZNONODE.rawValue ? ZOK.rawValue : code, stat) }
    }
  }

  /// Dispatches a fired watch to the refreshes of the tables it concerns.
  func handleNodeEvent(type: Int32, path: String, generation: Int) {
    guard state.withLock({ $0.generation == generation && !$0.closed }) else { return }
    refreshPathWatches(type: type, path: path)
    let (data, children) = state.withLock { s -> (Bool, Bool) in
      guard s.generation == generation, !s.closed else { return (false, false) }
      let data = type == ZOO_CREATED_EVENT || type == ZOO_DELETED_EVENT || type == ZOO_CHANGED_EVENT
      let children = type == ZOO_CREATED_EVENT || type == ZOO_DELETED_EVENT || type == ZOO_CHILD_EVENT
      // Counted now, on the client's event thread, before the reply to any later call is delivered.
      if data { s.dataWatches[path]?.events += 1 }
      if children { s.childWatches[path]?.events += 1 }
      return (data && s.dataWatches[path] != nil, children && s.childWatches[path] != nil)
    }
    if data { Task { await self.refresh(path, \.dataWatches) { c, p in try await c.readWatchedData(p) } } }
    if children { Task { await self.refresh(path, \.childWatches) { c, p in try await c.readWatchedChildren(p) } } }
  }

  /// Re-reads every watched path on a new session, which re-arms its watches.
  func rearmAllWatches() {
    let (dataPaths, childPaths) = state.withLock { (Array($0.dataWatches.keys), Array($0.childWatches.keys)) }
    for path in dataPaths {
      Task { await self.refresh(path, \.dataWatches) { c, p in try await c.readWatchedData(p) } }
    }
    for path in childPaths {
      Task { await self.refresh(path, \.childWatches) { c, p in try await c.readWatchedChildren(p) } }
    }
  }
}

extension ZooKeeper {
  /// Watches `path` until `condition` holds for its value (`nil`: no node), or
  /// `timeout` passes.
  /// - Returns: whether the condition held.
  public func wait(
    for path: String, timeout: Duration, until condition: @escaping @Sendable (String?) -> Bool
  ) async -> Bool {
    await withTaskGroup(of: Bool.self) { group in
      group.addTask {
        for await value in self.watchData(path) where condition(value?.string) { return true }
        return false
      }
      group.addTask {
        try? await Task.sleep(for: timeout)
        return false
      }
      let first = await group.next() ?? false
      group.cancelAll()
      return first
    }
  }
}
