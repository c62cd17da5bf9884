import CZooKeeper
import Dispatch
import Synchronization

/// A low-level event from one C handle, delivered on the client's completion thread.
enum ZooKeeperEvent: Sendable {
  /// The connection state changed (a `ZOO_*_STATE` value).
  case session(state: Int32)
  /// A watch fired on `path` (a `ZOO_*_EVENT` type).
  case node(type: Int32, path: String)
}

/// One ZooKeeper session over one `zhandle_t` of libzookeeper_mt.
///
/// Thread safety: every method may be called from any thread. Submissions hold a
/// mutex only while handing the request to the C library (which only queues it),
/// so ``close()`` can mark the handle closed and then free it without racing a
/// submission. Completions and watch events run on the C library's single
/// completion thread: the callbacks copy what they need and never block.
/// ``close()`` must not be called from that thread.
final class ZooKeeperSession: Sendable {
  /// Increases by one for each session a ``ZooKeeper`` client opens.
  let generation: Int
  /// Whether the session authenticated (digest): its creations get the members' ACL.
  let authenticated: Bool
  private let handle: Mutex<OpaquePointer?>
  private let context: Unmanaged<EventSink>

  /// Receives the handle's events; owned by the session until it is closed.
  final class EventSink: Sendable {
    let generation: Int
    let deliver: @Sendable (Int, ZooKeeperEvent) -> Void
    init(generation: Int, deliver: @escaping @Sendable (Int, ZooKeeperEvent) -> Void) {
      self.generation = generation
      self.deliver = deliver
    }
  }

  /// Opens a handle; the connection proceeds in the background and is reported
  /// through `deliver` as `.session(ZOO_CONNECTED_STATE)`.
  init(
    hosts: String, timeoutMilliseconds: Int32, generation: Int, credentials: ZooKeeperCredentials? = nil,
    deliver: @escaping @Sendable (Int, ZooKeeperEvent) -> Void
  ) throws {
    self.generation = generation
    authenticated = credentials != nil
    let sink = Unmanaged.passRetained(EventSink(generation: generation, deliver: deliver))
    context = sink
    ZooKeeperSession.quietOnce
    let zh = zookeeper_init(hosts, ZooKeeperSession.watcher, timeoutMilliseconds, nil, sink.toOpaque(), 0)
    guard let zh else {
      sink.release()
      throw ZooKeeperError(.badArguments, operation: "connect", path: hosts)
    }
    // Sent with the connection (and again by the library after each reconnection).
    if let credentials {
      let digest = Array(credentials.digest.utf8)
      _ = digest.withUnsafeBufferPointer { buffer in
        buffer.withMemoryRebound(to: CChar.self) {
          zoo_add_auth(zh, "digest", $0.baseAddress, Int32(clamping: $0.count), nil, nil)
        }
      }
    }
    handle = Mutex(zh)
  }

  /// The ACL given to nodes this session creates: the members' ACL when it authenticated, else open.
  var creationACL: UnsafeMutablePointer<ACL_vector> {
    authenticated ? pvc_zoo_member_acl() : pvc_zoo_open_acl_unsafe()
  }

  private static let quietOnce: Void = pvc_zoo_quiet()

  private static let watcher: watcher_fn = { _, type, state, path, ctx in
    guard let ctx else { return }
    let sink = Unmanaged<EventSink>.fromOpaque(ctx).takeUnretainedValue()
    if type == ZOO_SESSION_EVENT {
      sink.deliver(sink.generation, .session(state: state))
    } else if let path {
      sink.deliver(sink.generation, .node(type: type, path: String(cString: path)))
    }
  }

  /// Runs `body` with the live handle, or returns `ZCLOSING` if the session is closed.
  @inline(__always)
  func submit(_ body: (OpaquePointer) -> Int32) -> Int32 {
    handle.withLock { zh in
      guard let zh else { return ZCLOSING.rawValue }
      return body(zh)
    }
  }

  /// The server-assigned session id, or 0 before the first connection.
  var sessionID: Int64 {
    handle.withLock { zh in
      guard let zh, let id = zoo_client_id(zh) else { return 0 }
      return id.pointee.client_id
    }
  }

  /// Replaces the server list (used by tests to force a session expiry).
  func setServers(_ hosts: String) -> Int32 {
    submit { zoo_set_servers($0, hosts) }
  }

  /// Closes the handle and frees it. Outstanding requests complete with `ZCLOSING`.
  /// Blocks until the C library's threads stop: never call from a completion.
  func close() {
    let zh = handle.withLock { zh -> OpaquePointer? in
      defer { zh = nil }
      return zh
    }
    guard let zh else { return }
    zookeeper_close(zh)
    context.release()
  }

  /// Closes the handle on a background thread.
  func closeInBackground() {
    DispatchQueue.global().async { self.close() }
  }
}
