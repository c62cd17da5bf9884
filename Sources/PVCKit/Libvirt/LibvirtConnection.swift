import CLibvirt
import Dispatch
import Synchronization

/// A connection to one libvirt daemon (`qemu:///system`, `qemu+tcp://10.0.1.1/system`...).
///
/// libvirt calls block while the daemon answers, so every call runs on this
/// connection's own dispatch queue (never on Swift's cooperative threads), and
/// several may run at once: libvirt connections are thread-safe, and a flush
/// migrates many VMs together. (An actor would serialize them, so this is a
/// `Sendable` class instead.) A broken connection is reopened on the next call.
/// Domains are addressed by UUID.
public final class LibvirtConnection: Sendable {
  /// The daemon's URI.
  public let uri: String
  private let handle = Mutex<OpaquePointer?>(nil)
  private let listeners = EventListeners()
  let queue: DispatchQueue

  /// The listeners of domain events. libvirt's callback holds its own reference
  /// to this (released by libvirt when the callback goes), never to the
  /// connection, so an event arriving while the connection is being freed is safe.
  final class EventListeners: Sendable {
    struct State {
      var nextID = 0
      var streams: [Int: AsyncStream<DomainEvent>.Continuation] = [:]
      /// The address of the connection the callback is registered on.
      var registeredOn = 0
    }
    let state = Mutex(State())

    func deliver(_ event: DomainEvent) {
      let streams = state.withLock { Array($0.streams.values) }
      for stream in streams { stream.yield(event) }
    }
  }

  private init(uri: String) {
    self.uri = uri
    queue = DispatchQueue(label: "libvirt \(uri)", qos: .userInitiated, attributes: .concurrent)
  }

  /// Opens a connection.
  /// - Throws: ``LibvirtError`` if the daemon cannot be reached.
  public static func open(_ uri: String) async throws -> LibvirtConnection {
    LibvirtEventLoop.started
    let connection = LibvirtConnection(uri: uri)
    try await connection.blocking("connect") { _ in () }
    return connection
  }

  deinit {
    if let conn = handle.withLock({ $0 }) { virConnectClose(conn) }
  }

  /// Closes the connection; event streams end.
  public func close() async {
    let streams = listeners.state.withLock { e -> [AsyncStream<DomainEvent>.Continuation] in
      defer { e.streams = [:] }
      return Array(e.streams.values)
    }
    for stream in streams { stream.finish() }
    let conn = handle.withLock { h -> OpaquePointer? in
      defer { h = nil }
      return h
    }
    if let conn {
      let closing = UnsafeHandle(pointer: conn)
      await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
        queue.async {
          virConnectClose(closing.pointer)
          done.resume()
        }
      }
    }
  }

  // MARK: Running blocking calls

  /// The open connection, reopening it if it broke.
  private func connection(_ operation: String) throws -> OpaquePointer {
    try handle.withLock { h in
      if let conn = h, virConnectIsAlive(conn) == 1 { return conn }
      if let dead = h {
        virConnectClose(dead)
        h = nil
      }
      guard let conn = virConnectOpen(uri) else { throw LibvirtError.last("connect to \(uri)") }
      _ = virConnectSetKeepAlive(conn, 5, 3)
      h = conn
      return conn
    }
  }

  /// Runs `body` with the connection on this connection's queue.
  func blocking<T: Sendable>(_ operation: String, _ body: @escaping @Sendable (OpaquePointer) throws -> T)
    async throws -> T
  {
    try await withCheckedThrowingContinuation { continuation in
      queue.async {
        do {
          let conn = try self.connection(operation)
          self.registerEventsIfNeeded(conn)
          continuation.resume(returning: try body(conn))
        } catch {
          continuation.resume(throwing: error)
        }
      }
    }
  }

  /// Runs `body` with the domain of `uuid`, freeing it afterwards.
  /// - Throws: ``LibvirtError`` (``LibvirtError/isNoDomain`` when it is not here).
  func withDomain<T: Sendable>(
    _ uuid: String, _ operation: String, _ body: @escaping @Sendable (OpaquePointer, OpaquePointer) throws -> T
  ) async throws -> T {
    try await blocking(operation) { conn in
      guard let domain = virDomainLookupByUUIDString(conn, uuid) else { throw LibvirtError.last(operation) }
      defer { virDomainFree(domain) }
      return try body(conn, domain)
    }
  }

  // MARK: Events

  /// Domain life-cycle events of this daemon, for as long as the stream is iterated.
  public func domainEvents() -> AsyncStream<DomainEvent> {
    let (stream, continuation) = AsyncStream.makeStream(of: DomainEvent.self)
    let id = listeners.state.withLock { e -> Int in
      e.nextID += 1
      e.streams[e.nextID] = continuation
      return e.nextID
    }
    continuation.onTermination = { [weak self] _ in
      _ = self?.listeners.state.withLock { $0.streams.removeValue(forKey: id) }
    }
    queue.async { [weak self] in
      guard let self, let conn = try? self.connection("events") else { return }
      self.registerEventsIfNeeded(conn)
    }
    return stream
  }

  /// Registers the life-cycle callback on `conn` once, if anyone listens.
  private func registerEventsIfNeeded(_ conn: OpaquePointer) {
    let needed = listeners.state.withLock { e -> Bool in
      let address = Int(bitPattern: UnsafeRawPointer(conn))
      guard !e.streams.isEmpty, e.registeredOn != address else { return false }
      e.registeredOn = address
      return true
    }
    guard needed else { return }
    let opaque = Unmanaged.passRetained(listeners).toOpaque()
    let callback: @convention(c) (OpaquePointer?, OpaquePointer?, Int32, Int32, UnsafeMutableRawPointer?) -> Int32 = {
      _, domain, event, detail, opaque in
      guard let domain, let opaque else { return 0 }
      let listeners = Unmanaged<EventListeners>.fromOpaque(opaque).takeUnretainedValue()
      let uuid = LibvirtConnection.uuid(of: domain)
      let name = virDomainGetName(domain).map { String(cString: $0) } ?? ""
      listeners.deliver(DomainEvent(uuid: uuid, name: name, kind: .init(event), detail: detail))
      return 0
    }
    let release: @convention(c) (UnsafeMutableRawPointer?) -> Void = { opaque in
      if let opaque { Unmanaged<EventListeners>.fromOpaque(opaque).release() }
    }
    if virConnectDomainEventRegisterAny(
      conn, nil, Int32(VIR_DOMAIN_EVENT_ID_LIFECYCLE.rawValue),
      unsafeBitCast(callback, to: virConnectDomainEventGenericCallback.self), opaque, release) < 0
    {
      Unmanaged<EventListeners>.fromOpaque(opaque).release()
    }
  }
}

/// A C handle carried across threads; only used where its owner guarantees exclusive use.
struct UnsafeHandle: @unchecked Sendable {
  let pointer: OpaquePointer
}
