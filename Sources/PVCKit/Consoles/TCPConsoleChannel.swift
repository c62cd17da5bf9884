import Foundation
import NIOCore
import NIOPosix
import Synchronization

/// A byte stream over TCP (a VM's VNC server on its node), for ``VMConsole``.
final class TCPConsoleChannel: ConsoleChannel {
  let output: AsyncThrowingStream<[UInt8], any Error>
  private let outputContinuation: AsyncThrowingStream<[UInt8], any Error>.Continuation
  private let input: AsyncStream<[UInt8]>.Continuation
  private let closedReason = Mutex<String??>(nil)

  private init(
    output: AsyncThrowingStream<[UInt8], any Error>,
    outputContinuation: AsyncThrowingStream<[UInt8], any Error>.Continuation,
    input: AsyncStream<[UInt8]>.Continuation
  ) {
    self.output = output
    self.outputContinuation = outputContinuation
    self.input = input
  }

  /// Connects to `host:port` (within `timeout`).
  static func connect(host: String, port: Int, timeout: Duration = .seconds(5)) async throws -> TCPConsoleChannel {
    let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
      .connectTimeout(.milliseconds(Int64(timeout.components.seconds * 1000)))
      .connect(host: host, port: port) { channel in
        channel.eventLoop.makeCompletedFuture {
          try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
        }
      }
    let (output, outputContinuation) = AsyncThrowingStream.makeStream(
      of: [UInt8].self, bufferingPolicy: .bufferingNewest(4096))
    let (inputs, input) = AsyncStream.makeStream(of: [UInt8].self, bufferingPolicy: .bufferingOldest(4096))
    let console = TCPConsoleChannel(output: output, outputContinuation: outputContinuation, input: input)
    Task {
      do {
        try await channel.executeThenClose { inbound, outbound in
          try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
              for try await buffer in inbound { outputContinuation.yield(Array(buffer: buffer)) }
            }
            group.addTask {
              for await bytes in inputs { try await outbound.write(ByteBuffer(bytes: bytes)) }
            }
            try await group.next()
            group.cancelAll()
          }
        }
        console.finish(ConsoleError.closed("the VM's VNC server closed the connection"))
      } catch {
        console.finish(ConsoleError.closed("the connection to the VM's VNC server failed: \(error)"))
      }
    }
    return console
  }

  private func finish(_ error: ConsoleError) {
    let reason = closedReason.withLock { $0 }
    switch reason {
    case .none: outputContinuation.finish(throwing: error)
    case .some(.none): outputContinuation.finish()
    case .some(.some(let given)): outputContinuation.finish(throwing: ConsoleError.closed(given))
    }
  }

  func send(_ bytes: [UInt8]) async throws {
    guard closedReason.withLock({ $0 }) == nil else { throw ConsoleError.closed("the console is closed") }
    if case .dropped = input.yield(bytes) { throw ConsoleError.closed("too much input is waiting for the VM") }
  }

  func close(reason: String?) async {
    let first = closedReason.withLock { r -> Bool in
      guard r == nil else { return false }
      r = .some(reason)
      return true
    }
    guard first else { return }
    input.finish()
    if let reason {
      outputContinuation.finish(throwing: ConsoleError.closed(reason))
    } else {
      outputContinuation.finish()
    }
  }
}
