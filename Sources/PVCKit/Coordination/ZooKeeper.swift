import CZooKeeper
import Dispatch
import Synchronization

/// An asynchronous ZooKeeper client over libzookeeper_mt.
///
/// A client holds one session at a time. Reads retry on their own across
/// connection loss and session expiry; writes report
/// ``ZooKeeperError/Code/connectionLoss`` when their outcome is unknown. When a
/// session expires the client opens a new one, re-creates the plain ephemeral
/// nodes it created, re-arms every watch and then publishes
/// ``SessionState/connected(sessionID:)`` again.
///
/// Many requests may be in flight at once: concurrent calls pipeline on the one
/// connection, and the batch reads (``getMany(_:)``, ``childrenMany(_:)``) send
/// all their requests before awaiting any reply.
///
/// Thread safety: all methods may be called from any task. Close the client
/// with ``close()`` when done.
public final class ZooKeeper: Sendable {
  /// The connect string: `host:port[,host:port...][/chroot]`.
  public let hosts: String
  /// The session timeout asked of the server.
  public let sessionTimeout: Duration
  /// The identity every session authenticates with (PVCKit's optional ACLs), if any.
  public let credentials: ZooKeeperCredentials?

  let state = Mutex(State())
  /// The second connection used by ``readBulk(data:children:)``.
  let bulk: BulkReader

  struct State {
    var session: ZooKeeperSession?
    var generation = 0
    var connected = false
    var closed = false
    var restorePending = false
    var nextID = 0
    var waiters: [Int: CheckedContinuation<ZooKeeperSession, any Error>] = [:]
    var ephemerals: [String: [UInt8]] = [:]
    var dataWatches: [String: WatchEntry<ZNodeData>] = [:]
    var childWatches: [String: WatchEntry<ZNodeChildren>] = [:]
    var pathWatches: [Int: PathWatchEntry] = [:]
    var pathIndex: [PathKey: Set<Int>] = [:]
    /// Counts the changes announced to path watches; `pathStale` holds, for
    /// each path not read since its change, the count at that change.
    var pathSequence = 0
    /// Writes this client sent and saw finish, successfully or not.
    var writesFinished = 0
    var pathStale: [PathKey: Int] = [:]
    var bulkFallbacks = 0
    var listeners: [Int: AsyncStream<SessionState>.Continuation] = [:]
    var published: SessionState = .connecting

    mutating func takeID() -> Int {
      nextID += 1
      return nextID
    }
  }

  init(hosts: String, sessionTimeout: Duration, credentials: ZooKeeperCredentials? = nil) {
    self.hosts = hosts
    self.sessionTimeout = sessionTimeout
    self.credentials = credentials
    bulk = BulkReader(hosts: hosts)
  }

  deinit {
    state.withLock { $0.session }?.closeInBackground()
  }

  /// Connects to a ZooKeeper ensemble and waits for the session to be established.
  ///
  /// - Parameters:
  ///   - hosts: `host:port` pairs separated by commas, optionally followed by a
  ///     chroot path (`127.0.0.1:2181,127.0.0.1:2182/pvc`).
  ///   - sessionTimeout: how long the server keeps the session (and its ephemeral
  ///     nodes) after losing contact with this client.
  ///   - connectTimeout: how long to wait for the first connection.
  ///   - credentials: the cluster members' identity (PVCKit's optional ACLs): nodes
  ///     this client creates can then be changed by members only.
  /// - Throws: ``ZooKeeperError`` with ``ZooKeeperError/Code/notConnected`` if no
  ///   server answered in time.
  public static func connect(
    to hosts: String, sessionTimeout: Duration = .seconds(10), connectTimeout: Duration = .seconds(15),
    credentials: ZooKeeperCredentials? = nil
  ) async throws -> ZooKeeper {
    let client = ZooKeeper(hosts: hosts, sessionTimeout: sessionTimeout, credentials: credentials)
    try client.openSession()
    do {
      _ = try await client.activeSession(timeout: connectTimeout)
    } catch {
      await client.close()
      throw ZooKeeperError(.notConnected, operation: "connect", path: hosts)
    }
    return client
  }

  /// How many writes this client has sent and seen finish (successfully or
  /// not): a read started after a change of this number may see newer data
  /// than one started before, so the two must not be shared.
  public var writesFinished: Int { state.withLock { $0.writesFinished } }

  /// The id of the current session, or 0 while none is established.
  public var sessionID: Int64 {
    state.withLock { $0.connected ? $0.session : nil }?.sessionID ?? 0
  }

  /// Closes the session; its ephemeral nodes are deleted by the server at once.
  /// Pending calls fail with ``ZooKeeperError/Code/closed``.
  public func close() async {
    bulk.close()
    let (session, waiters, listeners, dataStreams, childStreams) = state.withLock { s in
      s.closed = true
      s.connected = false
      s.published = .closed
      defer {
        s.session = nil
        s.waiters = [:]
        s.listeners = [:]
        s.dataWatches = [:]
        s.childWatches = [:]
      }
      return (
        s.session, Array(s.waiters.values), Array(s.listeners.values),
        s.dataWatches.values.flatMap { $0.subscribers.values },
        s.childWatches.values.flatMap { $0.subscribers.values }
      )
    }
    for waiter in waiters { waiter.resume(throwing: ZooKeeperError(.closed, operation: "connect")) }
    for listener in listeners {
      listener.yield(.closed)
      listener.finish()
    }
    for stream in dataStreams { stream.finish() }
    state.withLock { s in
      s.pathWatches = [:]
      s.pathIndex = [:]
    }
    for stream in childStreams { stream.finish() }
    if let session {
      await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
        DispatchQueue.global().async {
          session.close()
          done.resume()
        }
      }
    }
  }

  // MARK: Sessions

  /// Opens a new session (the first, or the replacement of an expired one).
  func openSession() throws {
    // The handle is created under the lock so that its first events, which take
    // the lock on the completion thread, always find it installed.
    try state.withLock { s in
      guard !s.closed else { return }
      s.generation += 1
      s.session = try ZooKeeperSession(
        hosts: hosts,
        timeoutMilliseconds: Int32(clamping: Int(sessionTimeout.components.seconds).multipliedSaturated(by: 1000)),
        generation: s.generation, credentials: credentials
      ) { [weak self] generation, event in
        self?.handle(event, generation: generation)
      }
    }
  }

  /// Returns the connected session, waiting up to `timeout` for one.
  func activeSession(timeout: Duration? = nil) async throws -> ZooKeeperSession {
    enum Fast {
      case ready(ZooKeeperSession)
      case closed
      case wait
    }
    let fast = state.withLock { s -> Fast in
      if s.closed { return .closed }
      if s.connected, let session = s.session { return .ready(session) }
      return .wait
    }
    switch fast {
    case .ready(let session): return session
    case .closed: throw ZooKeeperError(.closed, operation: "connect", path: hosts)
    case .wait: break
    }
    let limit = timeout ?? sessionTimeout * 2
    return try await withCheckedThrowingContinuation { continuation in
      let id = state.withLock { s -> Int? in
        if s.closed {
          continuation.resume(throwing: ZooKeeperError(.closed, operation: "connect", path: hosts))
          return nil
        }
        if s.connected, let session = s.session {
          continuation.resume(returning: session)
          return nil
        }
        let id = s.takeID()
        s.waiters[id] = continuation
        return id
      }
      guard let id else { return }
      Task { [weak self] in
        try? await Task.sleep(for: limit)
        guard let self else { return }
        let expired = self.state.withLock { $0.waiters.removeValue(forKey: id) }
        expired?.resume(throwing: ZooKeeperError(.notConnected, operation: "connect", path: self.hosts))
      }
    }
  }

  /// Handles an event from the C library's completion thread. Never blocks.
  func handle(_ event: ZooKeeperEvent, generation: Int) {
    switch event {
    case .session(let code):
      handleSessionState(code, generation: generation)
    case .node(let type, let path):
      handleNodeEvent(type: type, path: path, generation: generation)
    }
  }

  private func handleSessionState(_ code: Int32, generation: Int) {
    if code == ZOO_CONNECTED_STATE {
      let (waiters, session, restore) = state.withLock {
        s -> ([CheckedContinuation<ZooKeeperSession, any Error>], ZooKeeperSession?, Bool) in
        guard s.generation == generation, !s.closed, let session = s.session else { return ([], nil, false) }
        s.connected = true
        let waiters = Array(s.waiters.values)
        s.waiters = [:]
        let restore = s.restorePending
        s.restorePending = false
        return (waiters, session, restore)
      }
      guard let session else { return }
      for waiter in waiters { waiter.resume(returning: session) }
      if restore {
        Task { await self.restoreAfterExpiry(session) }
      } else {
        publish(.connected(sessionID: session.sessionID), generation: generation)
      }
    } else if code == ZOO_EXPIRED_SESSION_STATE || code == ZOO_AUTH_FAILED_STATE {
      sessionDied(generation: generation)
    } else if code == ZOO_CONNECTING_STATE || code == ZOO_ASSOCIATING_STATE || code == ZOO_NOTCONNECTED_STATE {
      let changed = state.withLock { s -> Bool in
        guard s.generation == generation, !s.closed, s.connected else { return false }
        s.connected = false
        return true
      }
      if changed { publish(.disconnected, generation: generation) }
    }
  }

  /// Replaces the session of `generation` after it expired (idempotent per generation).
  func sessionDied(generation: Int) {
    let old = state.withLock { s -> ZooKeeperSession? in
      guard s.generation == generation, !s.closed, let session = s.session else { return nil }
      s.connected = false
      s.restorePending = true
      s.session = nil
      return session
    }
    guard let old else { return }
    // Changes made while no session watched are unknown: every watched path is stale until read again.
    state.withLock { $0.markStale(Array($0.pathIndex.keys)) }
    publish(.expired, generation: generation)
    old.closeInBackground()
    do {
      try openSession()
    } catch {
      // The connect string was accepted once; a failure here leaves waiters to time out.
    }
  }

  /// Re-creates ephemeral nodes and re-arms watches on a replacement session.
  private func restoreAfterExpiry(_ session: ZooKeeperSession) async {
    let ephemerals = state.withLock { $0.ephemerals }
    for (path, data) in ephemerals.sorted(by: { $0.key < $1.key }) {
      do {
        _ = try await create(path, data: data, mode: .ephemeral)
      } catch let error as ZooKeeperError where error.code == .nodeExists {
        // Someone else holds the name now: it is no longer ours to restore.
        _ = state.withLock { $0.ephemerals.removeValue(forKey: path) }
      } catch {
        // The next expiry (or the caller) will try again.
      }
    }
    rearmAllWatches()
    rearmPathWatches()
    publish(.connected(sessionID: session.sessionID), generation: session.generation)
  }

  private func publish(_ sessionState: SessionState, generation: Int) {
    let listeners = state.withLock { s -> [AsyncStream<SessionState>.Continuation] in
      guard s.generation == generation || sessionState == .expired, !s.closed else { return [] }
      s.published = sessionState
      return Array(s.listeners.values)
    }
    for listener in listeners { listener.yield(sessionState) }
  }

  /// A stream of this client's session states, starting with the current one.
  ///
  /// Each call returns a new stream; it ends when the client is closed or the
  /// consumer stops iterating.
  public func sessionStates() -> AsyncStream<SessionState> {
    let (stream, continuation) = AsyncStream.makeStream(of: SessionState.self)
    let (id, current, closed) = state.withLock { s -> (Int, SessionState, Bool) in
      let id = s.takeID()
      if !s.closed { s.listeners[id] = continuation }
      return (id, s.published, s.closed)
    }
    continuation.yield(current)
    if closed {
      continuation.finish()
    } else {
      continuation.onTermination = { [weak self] _ in
        _ = self?.state.withLock { $0.listeners.removeValue(forKey: id) }
      }
    }
    return stream
  }
}
