import CZooKeeper
import Synchronization

/// Many paths watched together, with one stream of changes: the way a
/// long-running process keeps a view of thousands of nodes current.
///
/// Adding paths reads them all in pipelined batches, leaving a watch on each;
/// afterwards only changed paths are read again. Each change is delivered once
/// (deduplicated by zxid), and after a session expiry every path is read again
/// so that nothing missed meanwhile is lost.
///
/// Values go to a handler, called in order on the client's own threads: it must
/// return quickly and must not call the ZooKeeper client (record what changed
/// and act elsewhere). When ``add(data:children:)`` returns, the handler has
/// received the current value of every path added.
public final class PathWatch: Sendable {
  /// What is watched at a path.
  public enum Kind: Sendable, Hashable {
    /// The node's data.
    case data
    /// The node's children.
    case children
  }

  /// A path's current value.
  public struct Update: Sendable {
    /// A watched path and what of it is watched.
    public struct Path: Sendable, Hashable {
      public var path: String
      public var kind: Kind
    }

    public var path: String
    public var kind: Kind
    /// For `.data`: the data, or `nil` when the node does not exist.
    public var data: ZNodeData?
    /// For `.children`: the child names, or `nil` when the node does not exist.
    public var children: [String]?
  }

  let id: Int
  let client: ZooKeeper

  init(id: Int, client: ZooKeeper) {
    self.id = id
    self.client = client
  }

  /// Starts watching paths and delivers their current values.
  public func add(data: [String] = [], children: [String] = []) async throws {
    let keys = data.map { PathKey(path: $0, kind: .data) } + children.map { PathKey(path: $0, kind: .children) }
    client.state.withLock { s in
      for key in keys {
        s.pathWatches[id]?.fingerprints[key] = .some(nil)
        s.pathIndex[key, default: []].insert(id)
      }
    }
    try await client.refreshPaths(keys)
  }

  /// Stops watching paths (the ZooKeeper watches stay until they fire; they are then ignored).
  public func remove(data: [String] = [], children: [String] = []) {
    let keys = data.map { PathKey(path: $0, kind: .data) } + children.map { PathKey(path: $0, kind: .children) }
    client.state.withLock { s in
      for key in keys {
        s.pathWatches[id]?.fingerprints.removeValue(forKey: key)
        s.pathIndex[key]?.remove(id)
        if s.pathIndex[key]?.isEmpty == true {
          s.pathIndex[key] = nil
          s.pathStale[key] = nil
        }
      }
    }
  }

  /// Stops the watch: the handler is not called again.
  public func cancel() {
    client.state.withLock { s in
      guard let entry = s.pathWatches.removeValue(forKey: id) else { return }
      for key in entry.fingerprints.keys {
        s.pathIndex[key]?.remove(id)
        if s.pathIndex[key]?.isEmpty == true {
          s.pathIndex[key] = nil
          s.pathStale[key] = nil
        }
      }
    }
  }
}

/// A watched path and what of it is watched.
struct PathKey: Hashable, Sendable {
  var path: String
  var kind: PathWatch.Kind
}

/// One ``PathWatch``'s subscriber and the last value it was given of each path
/// (`.some(nil)` before the first delivery).
struct PathWatchEntry {
  var deliver: @Sendable (PathWatch.Update) -> Void
  /// Told, on the client's event thread, that a path changed (`true`: its value
  /// is on the way) and later that it was read again (`false`, delivered or not).
  var mark: (@Sendable (PathWatch.Update.Path, Bool) -> Void)?
  var fingerprints: [PathKey: WatchFingerprint??] = [:]
}

extension ZooKeeper {
  /// Creates a watch over a set of paths, empty at first (see ``PathWatch/add(data:children:)``),
  /// whose values go to `handler`.
  ///
  /// `marks`, if given, is told at once (on the client's event thread, before the
  /// reply to any later call of this client is delivered) that a path changed
  /// (`true`), and `false` once it was read again, changed or not: what a cache
  /// needs to never answer from a value older than its own process's last write.
  public func watchPaths(
    marks: (@Sendable (PathWatch.Update.Path, Bool) -> Void)? = nil,
    _ handler: @escaping @Sendable (PathWatch.Update) -> Void
  ) -> PathWatch {
    let id = state.withLock { s -> Int in
      let id = s.takeID()
      s.pathWatches[id] = PathWatchEntry(deliver: handler, mark: marks)
      return id
    }
    return PathWatch(id: id, client: self)
  }

  /// Reads paths with watches (pipelined) and delivers changed values to their path watches.
  func refreshPaths(_ keys: [PathKey]) async throws {
    let begun = state.withLock { $0.pathSequence }
    let dataKeys = keys.filter { $0.kind == .data }
    let childKeys = keys.filter { $0.kind == .children }
    async let data = readBatch("watch", paths: dataKeys.map(\.path), absent: [ZNONODE.rawValue]) { session, paths in
      await session.getBatch(paths, watch: true)
    }
    async let children: [ZNodeChildren?] = readBatch(
      "watch", paths: childKeys.map(\.path), absent: [ZNONODE.rawValue]
    ) { session, path, done in
      session.children(path, watch: true, done)
    }
    let (dataValues, childValues) = try await (data, children)
    // Absent nodes get an existence watch, so that their creation is seen.
    let absent =
      zip(dataKeys, dataValues).filter { $0.1 == nil }.map(\.0.path)
      + zip(childKeys, childValues).filter { $0.1 == nil }.map(\.0.path)
    let created: [ZNodeStat?] = try await readBatch("watch", paths: absent, absent: [ZNONODE.rawValue]) {
      session, path, done in
      session.exists(path, watch: true, done)
    }
    var updates = zip(dataKeys, dataValues).map {
      PathWatch.Update(path: $0.path, kind: .data, data: $1, children: nil)
    }
    updates += zip(childKeys, childValues).map {
      PathWatch.Update(path: $0.path, kind: .children, data: nil, children: $1?.names.sorted())
    }
    let fingerprints = Dictionary(
      uniqueKeysWithValues: zip(dataKeys, dataValues).map { ($0, $1?.fingerprint) }
        + zip(childKeys, childValues).map { ($0, $1?.fingerprint) })
    state.withLock { s in
      for update in updates {
        let key = PathKey(path: update.path, kind: update.kind)
        let fingerprint = fingerprints[key] ?? nil
        // Read after the last change was announced: the value is current.
        let fresh = (s.pathStale[key] ?? 0) <= begun
        if fresh { s.pathStale[key] = nil }
        for id in s.pathIndex[key] ?? [] {
          // In place: copying an entry would copy its (large) table of fingerprints.
          guard let last = s.pathWatches[id]?.fingerprints[key] else { continue }
          if last == nil || last! != fingerprint {
            s.pathWatches[id]!.fingerprints[key] = .some(fingerprint)
            // Delivered under the lock, so that values arrive in order; handlers never block.
            s.pathWatches[id]!.deliver(update)
          }
          // Only then is the path no longer stale: a reader that sees the mark cleared must find the new value
          // (cleared first, a reader in between found neither the mark nor the value: a view answered without
          // a tag its own program had just added).
          if fresh { s.pathWatches[id]!.mark?(.init(path: key.path, kind: key.kind), false) }
        }
      }
    }
    // A node created between the read and the existence watch is read again.
    let appeared = Set(zip(absent, created).filter { $0.1 != nil }.map(\.0))
    if !appeared.isEmpty {
      try await refreshPaths(keys.filter { appeared.contains($0.path) })
    }
  }

  /// Re-reads the path-watched keys an event concerns.
  func refreshPathWatches(type: Int32, path: String) {
    let keys = state.withLock { s -> [PathKey] in
      var keys: [PathKey] = []
      let data = PathKey(path: path, kind: .data)
      let children = PathKey(path: path, kind: .children)
      if type != ZOO_CHILD_EVENT, s.pathIndex[data] != nil { keys.append(data) }
      if type != ZOO_CHANGED_EVENT, s.pathIndex[children] != nil { keys.append(children) }
      s.markStale(keys)
      return keys
    }
    if !keys.isEmpty { Task { try? await self.refreshPaths(keys) } }
  }

  /// Re-reads every path-watched key (after a new session).
  func rearmPathWatches() {
    let keys = state.withLock { s in
      let keys = Array(s.pathIndex.keys)
      s.markStale(keys)
      return keys
    }
    if !keys.isEmpty { Task { try? await self.refreshPaths(keys) } }
  }
}

extension ZooKeeper.State {
  /// Tells the path watches of `keys` that their values changed and are on the
  /// way; only a read begun after this one clears the mark.
  mutating func markStale(_ keys: [PathKey]) {
    pathSequence += 1
    for key in keys {
      pathStale[key] = pathSequence
      for id in pathIndex[key] ?? [] {
        pathWatches[id]?.mark?(.init(path: key.path, kind: key.kind), true)
      }
    }
  }
}
