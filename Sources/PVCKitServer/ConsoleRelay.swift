import Foundation
public import HummingbirdWebSocket
import NIOCore
public import PVCKit

/// Joins a VM's console to a WebSocket: what the guest writes goes out as binary messages, messages that come
/// in are typed to the guest. When the console closes for a reason (the VM stopped or moved, another session took
/// it, the session that opened it ended), the socket is closed with that reason in its close frame.
public enum ConsoleRelay {
  /// The longest close reason a WebSocket close frame carries (125 bytes less the code).
  static let reasonLimit = 123

  /// Opens a console (`open`: the serial console or the VNC stream of a VM) and relays it until either side
  /// closes. A console that cannot be opened closes the socket at once, saying why.
  public static func attach(
    _ open: @Sendable () async throws -> VMConsole, inbound: WebSocketInboundStream,
    outbound: WebSocketOutboundWriter, until ended: (@Sendable () async -> String?)? = nil
  ) async {
    let console: VMConsole
    do {
      console = try await open()
    } catch {
      try? await outbound.close(.unexpectedServerError, reason: shortened("\(error)"))
      return
    }
    await relay(console, inbound: inbound, outbound: outbound, until: ended)
  }

  /// Relays an open console (closed when this returns).
  /// - Parameter ended: asked every second; a reason it gives closes the console (a web session that ended).
  public static func relay(
    _ console: VMConsole, inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter,
    until ended: (@Sendable () async -> String?)? = nil
  ) async {
    let reason: String? = await withTaskGroup(of: String?.self) { group in
      group.addTask {
        do {
          for try await bytes in console.output {
            try await outbound.write(.binary(ByteBuffer(bytes: bytes)))
          }
          return "the console closed"
        } catch {
          return "\(error)"
        }
      }
      group.addTask {
        do {
          for try await message in inbound.messages(maxSize: 1 << 16) {
            switch message {
            case .binary(let buffer): try await console.send(Array(buffer: buffer))
            case .text(let text): try await console.send(Array(text.utf8))
            }
          }
        } catch {}
        return nil
      }
      if let ended {
        group.addTask {
          while !Task.isCancelled {
            try? await Task.sleep(for: .seconds(1))
            if let reason = await ended() { return reason }
          }
          return nil
        }
      }
      let first = await group.next() ?? nil
      group.cancelAll()
      return first
    }
    await console.close()
    if let reason {
      try? await outbound.close(.normalClosure, reason: shortened(reason))
    }
  }

  /// A reason cut to what a close frame carries, on a character boundary.
  static func shortened(_ reason: String) -> String {
    var text = reason
    while text.utf8.count > reasonLimit { text.removeLast() }
    return text
  }
}
