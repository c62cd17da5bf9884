import CLibvirt
import Synchronization

/// A guest's serial console opened through libvirt (`virDomainOpenConsole`) as a non-blocking stream.
///
/// Everything done to the stream (reading, writing, closing) runs on libvirt's event loop thread: reads from
/// the stream's readable callback, writes and the close through ``LibvirtEventLoop/perform(after:_:)``. So no
/// two calls on the stream ever overlap, and it is freed only when no callback can run.
final class LibvirtConsoleStream: ConsoleChannel {
  let output: AsyncThrowingStream<[UInt8], any Error>
  private let continuation: AsyncThrowingStream<[UInt8], any Error>.Continuation
  private let stream: UnsafeHandle
  private let state = Mutex(State())
  /// Keeps the daemon connection open while the console is.
  private let connection: LibvirtConnection

  /// At most this much typed input waits for the guest; more is refused.
  static let inputLimit = 64 * 1024
  /// The largest read from the stream at once.
  static let readSize = 16 * 1024

  struct State {
    var pending: [UInt8] = []
    var closed = false
    var flushScheduled = false
  }

  /// Takes over an open stream (ownership passes to this object) and starts reading it.
  init(stream: OpaquePointer, connection: LibvirtConnection) throws {
    self.stream = UnsafeHandle(pointer: stream)
    self.connection = connection
    (output, continuation) = AsyncThrowingStream.makeStream(of: [UInt8].self, bufferingPolicy: .bufferingNewest(256))
    defer {
      // A reader that stops reading closes the console.
      continuation.onTermination = { [weak self] _ in self?.close(reason: nil) }
    }
    let opaque = Unmanaged.passRetained(self).toOpaque()
    let events = Int32(
      VIR_STREAM_EVENT_READABLE.rawValue | VIR_STREAM_EVENT_ERROR.rawValue | VIR_STREAM_EVENT_HANGUP.rawValue)
    let added = virStreamEventAddCallback(
      stream, events,
      { _, events, opaque in
        guard let opaque else { return }
        Unmanaged<LibvirtConsoleStream>.fromOpaque(opaque).takeUnretainedValue().streamEvent(events)
      }, opaque,
      { opaque in
        guard let opaque else { return }
        Unmanaged<LibvirtConsoleStream>.fromOpaque(opaque).release()
      })
    if added != 0 {
      Unmanaged<LibvirtConsoleStream>.fromOpaque(opaque).release()
      let error = LibvirtError.last("watch the console stream")
      _ = virStreamAbort(stream)
      _ = virStreamFree(stream)
      state.withLock { $0.closed = true }
      throw error
    }
  }

  /// Queues input for the guest.
  func send(_ bytes: [UInt8]) throws {
    guard !bytes.isEmpty else { return }
    let schedule = try state.withLock { s -> Bool in
      guard !s.closed else { throw ConsoleError.closed("the console is closed") }
      guard s.pending.count + bytes.count <= Self.inputLimit else {
        throw ConsoleError.closed("more than \(Self.inputLimit) bytes of input are waiting for the guest")
      }
      s.pending += bytes
      defer { s.flushScheduled = true }
      return !s.flushScheduled
    }
    if schedule { LibvirtEventLoop.perform { self.flush() } }
  }

  /// Closes the stream; the output ends (with `reason` as its error when given).
  func close(reason: String?) {
    LibvirtEventLoop.perform { self.teardown(reason.map { ConsoleError.closed($0) }) }
  }

  // MARK: On the event loop's thread

  private func streamEvent(_ events: Int32) {
    var buffer = [UInt8](repeating: 0, count: Self.readSize)
    // A few reads per event at most, so one busy console cannot hold the loop.
    for _ in 0..<8 {
      if state.withLock({ $0.closed }) { return }
      let count = buffer.withUnsafeMutableBufferPointer { raw in
        raw.baseAddress!.withMemoryRebound(to: CChar.self, capacity: raw.count) {
          virStreamRecv(stream.pointer, $0, raw.count)
        }
      }
      if count > 0 {
        continuation.yield(Array(buffer[0..<Int(count)]))
      } else if count == 0 {
        return teardown(ConsoleError.closed("the guest's console closed (the VM stopped or moved)"))
      } else if count == -2 {
        break
      } else {
        return teardown(LibvirtError.last("read the console"))
      }
    }
    if events & Int32(VIR_STREAM_EVENT_ERROR.rawValue | VIR_STREAM_EVENT_HANGUP.rawValue) != 0 {
      teardown(ConsoleError.closed("the console's connection to libvirt ended"))
    }
  }

  private func flush() {
    let pending = state.withLock { s -> [UInt8]? in
      s.flushScheduled = false
      return s.closed ? nil : s.pending
    }
    guard let pending, !pending.isEmpty else { return }
    let sent = pending.withUnsafeBufferPointer { raw in
      raw.baseAddress!.withMemoryRebound(to: CChar.self, capacity: raw.count) {
        virStreamSend(stream.pointer, $0, raw.count)
      }
    }
    if sent == -1 { return teardown(LibvirtError.last("write to the console")) }
    let again = state.withLock { s -> Bool in
      if sent > 0 { s.pending.removeFirst(min(Int(sent), s.pending.count)) }
      guard !s.pending.isEmpty, !s.flushScheduled else { return false }
      s.flushScheduled = true
      return true
    }
    // The guest is not reading yet (-2) or took part of it: try again shortly.
    if again { LibvirtEventLoop.perform(after: sent == -2 ? 20 : 0) { self.flush() } }
  }

  private func teardown(_ error: (any Error)?) {
    let first = state.withLock { s -> Bool in
      defer { s.closed = true }
      return !s.closed
    }
    guard first else { return }
    continuation.finish(throwing: error)
    _ = virStreamEventRemoveCallback(stream.pointer)
    _ = virStreamAbort(stream.pointer)
    _ = virStreamFree(stream.pointer)
  }
}

extension LibvirtConnection {
  /// Opens the serial console of a running domain, taking it over from any other session.
  /// - Throws: ``LibvirtError`` when the domain is not here or has no console.
  func openConsole(_ uuid: String) async throws -> LibvirtConsoleStream {
    let stream = try await withDomain(uuid, "open the console") { conn, domain -> UnsafeHandle in
      guard let stream = virStreamNew(conn, UInt32(VIR_STREAM_NONBLOCK.rawValue)) else {
        throw LibvirtError.last("open the console")
      }
      guard virDomainOpenConsole(domain, nil, stream, UInt32(VIR_DOMAIN_CONSOLE_FORCE.rawValue)) == 0 else {
        let error = LibvirtError.last("open the console")
        _ = virStreamFree(stream)
        throw error
      }
      return UnsafeHandle(pointer: stream)
    }
    return try LibvirtConsoleStream(stream: stream.pointer, connection: self)
  }
}
