import Dispatch
import Foundation
import Synchronization

/// A read to make in bulk.
enum BulkRead: Sendable, Hashable {
  case data(String)
  case children(String)

  var path: String {
    switch self {
    case .data(let path), .children(let path): path
    }
  }
}

/// The outcome of one bulk read.
enum BulkResult: Sendable, Hashable {
  case data(ZNodeData)
  case children([String])
  case missing
}

/// Reads thousands of nodes quickly over a second, read-only connection that
/// speaks ZooKeeper's protocol itself and packs up to ``opsPerRequest`` reads
/// into each `multiRead` request (ZooKeeper 3.6 and later), all requests in
/// flight together. The C client sends one request per read and spends about
/// as much CPU per request as the server does; packing cuts both.
///
/// Each batch starts with a `sync`, so it sees every write acknowledged
/// before it began, whichever server it talks to. One batch at a time runs on
/// the connection. A broken or idle connection is replaced on the next batch.
final class BulkReader: Sendable {
  let servers: [(host: String, port: String)]
  let chroot: String
  let opsPerRequest = 128
  /// How many `multiRead` requests are in flight at once.
  let window = 16
  private let connection = Mutex<WireConnection?>(nil)
  private let queue = DispatchQueue(label: "zookeeper bulk reader")

  /// Thrown when the server does not support `multiRead`.
  struct Unsupported: Error {}

  init(hosts: String) {
    let parts = hosts.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
    chroot = parts.count > 1 && !parts[1].isEmpty ? "/" + parts[1] : ""
    servers = parts[0].split(separator: ",").map { entry in
      let hostPort = entry.split(separator: ":")
      return (String(hostPort.first ?? "127.0.0.1"), hostPort.count > 1 ? String(hostPort[1]) : "2181")
    }
  }

  deinit { connection.withLock { $0?.close() } }

  /// Closes the connection (ending its session).
  func close() {
    connection.withLock { c in
      c?.close()
      c = nil
    }
  }

  /// Reads everything, in order.
  func read(_ reads: [BulkRead]) async throws -> [BulkResult] {
    if reads.isEmpty { return [] }
    return try await withCheckedThrowingContinuation { continuation in
      queue.async {
        do {
          continuation.resume(returning: try self.readNow(reads))
        } catch {
          self.close()
          continuation.resume(throwing: error)
        }
      }
    }
  }

  private func readNow(_ reads: [BulkRead]) throws -> [BulkResult] {
    let wire = try connection.withLock { c -> WireConnection in
      if let existing = c, existing.isFresh { return existing }
      c?.close()
      let fresh = try WireConnection.open(servers)
      c = fresh
      return fresh
    }
    // A sync first, then the multiReads, at most `window` of them in flight:
    // the server holds every queued reply in memory.
    var sync = JuteWriter()
    sync.int(1)
    sync.int(9)
    sync.string(chroot.isEmpty ? "/" : chroot)
    let chunks = stride(from: 0, to: reads.count, by: opsPerRequest).map {
      Array(reads[$0..<min($0 + opsPerRequest, reads.count)])
    }
    func request(_ index: Int) -> [UInt8] {
      var request = JuteWriter()
      request.int(Int32(index + 2))
      request.int(22)  // multiRead
      for read in chunks[index] {
        let isData: Bool
        if case .data = read { isData = true } else { isData = false }
        request.int(isData ? 4 : 8)
        request.bool(false)
        request.int(-1)
        request.string(chroot + (read.path == "/" && !chroot.isEmpty ? "" : read.path))
        request.bool(false)
      }
      request.int(-1)
      request.bool(true)
      request.int(-1)
      return request.framed
    }
    var nextToSend = min(window, chunks.count)
    try wire.send(sync.framed + (0..<nextToSend).flatMap(request))

    var results = [BulkResult](repeating: .missing, count: reads.count)
    var pending = chunks.count + 1
    while pending > 0 {
      var frame = JuteReader(try wire.receiveFrame())
      let xid = try frame.int()
      _ = try frame.long()
      let error = try frame.int()
      if xid == -2 || xid == -1 { continue }  // ping reply or notification
      pending -= 1
      if xid == 1 { continue }  // the sync
      if nextToSend < chunks.count {
        try wire.send(request(nextToSend))
        nextToSend += 1
      }
      guard error == 0 else {
        if error == -6 { throw Unsupported() }
        throw ZooKeeperError(returnCode: error, operation: "bulk read", path: nil)
      }
      let base = (Int(xid) - 2) * opsPerRequest
      var index = base
      while true {
        let type = try frame.int()
        let done = try frame.bool()
        let opError = try frame.int()
        if done { break }
        switch type {
        case 4: results[index] = .data(ZNodeData(bytes: try frame.buffer(), stat: try frame.stat()))
        case 8:
          let count = try frame.int()
          var names: [String] = []
          names.reserveCapacity(Int(max(count, 0)))
          for _ in 0..<max(count, 0) { names.append(try frame.string()) }
          results[index] = .children(names)
        default:
          _ = try frame.int()  // ErrorResponse
          guard opError == -101 else {
            throw ZooKeeperError(returnCode: opError, operation: "bulk read", path: reads[index].path)
          }
          results[index] = .missing
        }
        index += 1
      }
    }
    wire.touch()
    return results
  }
}

/// One TCP connection speaking ZooKeeper's protocol, with its session.
final class WireConnection: @unchecked Sendable {
  private let fd: Int32
  private var buffer: [UInt8] = []
  private var start = 0
  private var chunk = [UInt8](repeating: 0, count: 1 << 18)
  private var lastUse = ContinuousClock.now
  /// Session timeout asked for; the connection is replaced when idle half as long.
  static let sessionTimeout: Int32 = 20_000

  private init(fd: Int32) { self.fd = fd }

  var isFresh: Bool { ContinuousClock.now - lastUse < .milliseconds(Int(Self.sessionTimeout) / 2) }

  func touch() { lastUse = ContinuousClock.now }

  /// Connects to the first server that answers and opens a session.
  static func open(_ servers: [(host: String, port: String)]) throws -> WireConnection {
    var lastError: any Error = ZooKeeperError(.notConnected, operation: "bulk connect")
    for server in servers {
      do {
        let connection = WireConnection(fd: try connectSocket(server.host, server.port))
        try connection.handshake()
        return connection
      } catch {
        lastError = error
      }
    }
    throw lastError
  }

  private static func connectSocket(_ host: String, _ port: String) throws -> Int32 {
    guard let fd = TCPSocket.connect(host, port, timeout: 10) else {
      throw ZooKeeperError(.notConnected, operation: "bulk connect", path: "\(host):\(port)")
    }
    var one: Int32 = 1
    setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
    return fd
  }

  private func handshake() throws {
    var request = JuteWriter()
    request.int(0)  // protocol version
    request.long(0)  // last zxid seen
    request.int(Self.sessionTimeout)
    request.long(0)  // new session
    request.buffer([UInt8](repeating: 0, count: 16))
    request.bool(false)  // not read-only
    try send(request.framed)
    var reply = JuteReader(try receiveFrame())
    _ = try reply.int()
    let timeout = try reply.int()
    guard timeout > 0 else { throw ZooKeeperError(.sessionExpired, operation: "bulk connect") }
  }

  func send(_ bytes: [UInt8]) throws {
    var sent = 0
    try bytes.withUnsafeBytes { raw in
      while sent < raw.count {
        let count = Glibc.send(fd, raw.baseAddress! + sent, raw.count - sent, Int32(MSG_NOSIGNAL))
        guard count > 0 else { throw ZooKeeperError(.connectionLoss, operation: "bulk read") }
        sent += count
      }
    }
  }

  /// Reads one length-prefixed frame (valid until the next read).
  func receiveFrame() throws -> ArraySlice<UInt8> {
    if start > 0 && start == buffer.count {
      buffer.removeAll(keepingCapacity: true)
      start = 0
    } else if start > 4 << 20 {
      buffer.removeFirst(start)
      start = 0
    }
    try fill(4)
    let length = buffer[start..<start + 4].reduce(0) { $0 << 8 | Int($1) }
    guard length >= 0, length < 64 << 20 else { throw ZooKeeperError(.connectionLoss, operation: "bulk read") }
    try fill(4 + length)
    let frame = buffer[start + 4..<start + 4 + length]
    start += 4 + length
    return frame
  }

  /// Reads until at least `count` unread bytes are buffered (one receive buffer, reused).
  private func fill(_ count: Int) throws {
    while buffer.count - start < count {
      let received = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
      guard received > 0 else { throw ZooKeeperError(.connectionLoss, operation: "bulk read") }
      buffer.append(contentsOf: chunk[0..<received])
    }
  }

  /// Ends the session and closes the socket.
  func close() {
    var request = JuteWriter()
    request.int(3)
    request.int(-11)  // closeSession
    try? send(request.framed)
    Glibc.close(fd)
  }
}
