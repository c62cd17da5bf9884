import Foundation
import HTTPTypes
import Logging
import NIOCore
import Synchronization
import WSClient

/// A VM's console through a PVC API's WebSocket (`GET /api/v1/vm/{vm}/console/attach`): binary messages both
/// ways. The server watches the VM and closes the socket with the reason in its close frame.
final class HTTPConsoleChannel: ConsoleChannel {
  let output: AsyncThrowingStream<[UInt8], any Error>
  private let outputContinuation: AsyncThrowingStream<[UInt8], any Error>.Continuation
  private let input: AsyncStream<Input>.Continuation
  private let inputs: AsyncStream<Input>
  private let closing = Mutex(false)

  enum Input: Sendable {
    case bytes([UInt8])
    case close(String?)
  }

  private init() {
    (output, outputContinuation) = AsyncThrowingStream.makeStream(
      of: [UInt8].self, bufferingPolicy: .bufferingNewest(256))
    (inputs, input) = AsyncStream.makeStream(of: Input.self, bufferingPolicy: .bufferingOldest(1024))
  }

  /// Connects; returns once the server accepted the WebSocket.
  static func open(url: String, key: String?) async throws -> HTTPConsoleChannel {
    let channel = HTTPConsoleChannel()
    var configuration = WebSocketClientConfiguration()
    if let key, let name = HTTPField.Name("X-Api-Key") { configuration.additionalHeaders[name] = key }
    configuration.additionalHeaders[.userAgent] = "pvckit-client/\(PVCKitVersion.string)"
    var logger = Logger(label: "pvc.console")
    logger.logLevel = .critical
    let opened = Opened()
    Task { [configuration, logger] in
      do {
        let frame = try await WebSocketClient.connect(url: url, configuration: configuration, logger: logger) {
          inbound, outbound, _ in
          opened.resume(nil)
          try await channel.relay(inbound: inbound, outbound: outbound)
        }
        opened.resume(ConsoleError.unavailable("the API refused the console's WebSocket"))
        let closedHere = channel.closing.withLock { $0 }
        if let reason = frame?.reason, !reason.isEmpty, !closedHere {
          channel.outputContinuation.finish(throwing: ConsoleError.closed(reason))
        } else {
          channel.outputContinuation.finish()
        }
      } catch {
        opened.resume(ConsoleError.unavailable("the console's WebSocket failed: \(error)"))
        channel.outputContinuation.finish(throwing: ConsoleError.closed("the console's connection failed: \(error)"))
      }
    }
    try await opened.wait()
    return channel
  }

  private func relay(inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter) async throws {
    try await withThrowingTaskGroup(of: Void.self) { group in
      group.addTask { [outputContinuation] in
        for try await message in inbound.messages(maxSize: 1 << 20) {
          switch message {
          case .binary(let buffer): outputContinuation.yield(Array(buffer: buffer))
          case .text(let text): outputContinuation.yield(Array(text.utf8))
          }
        }
      }
      group.addTask { [inputs] in
        for await item in inputs {
          switch item {
          case .bytes(let bytes): try await outbound.write(.binary(ByteBuffer(bytes: bytes)))
          case .close(let reason):
            try await outbound.close(.normalClosure, reason: reason)
            return
          }
        }
      }
      try await group.next()
      group.cancelAll()
    }
  }

  func send(_ bytes: [UInt8]) async throws {
    guard !closing.withLock({ $0 }) else { throw ConsoleError.closed("the console is closed") }
    if case .dropped = input.yield(.bytes(bytes)) {
      throw ConsoleError.closed("too much input is waiting for the API")
    }
  }

  func close(reason: String?) async {
    let first = closing.withLock { c -> Bool in
      defer { c = true }
      return !c
    }
    guard first else { return }
    input.yield(.close(reason))
    input.finish()
    if let reason {
      outputContinuation.finish(throwing: ConsoleError.closed(reason))
    } else {
      outputContinuation.finish()
    }
  }

  /// The first outcome of opening the socket, waited for once.
  private final class Opened: Sendable {
    private let state = Mutex<(outcome: Result<Void, any Error>?, waiter: CheckedContinuation<Void, any Error>?)>(
      (nil, nil))

    func resume(_ error: (any Error)?) {
      let waiter = state.withLock { s -> CheckedContinuation<Void, any Error>? in
        guard s.outcome == nil else { return nil }
        s.outcome = error.map { .failure($0) } ?? .success(())
        defer { s.waiter = nil }
        return s.waiter
      }
      if let waiter {
        if let error { waiter.resume(throwing: error) } else { waiter.resume() }
      }
    }

    func wait() async throws {
      try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
        let outcome = state.withLock { s -> Result<Void, any Error>? in
          if s.outcome == nil { s.waiter = continuation }
          return s.outcome
        }
        if let outcome { continuation.resume(with: outcome) }
      }
    }
  }
}

extension APIClient {
  /// The WebSocket URL (`ws://` or `wss://`) of an operation's path.
  func webSocketURL(_ spec: OperationSpec, _ path: [String]) throws -> String {
    let checked = try spec.request(path, parameters: [])
    var text =
      base.absoluteString + "/api/v1"
      + checked.path.split(separator: "/").map { "/" + Self.escape(String($0)) }.joined()
    if text.hasPrefix("https://") {
      text = "wss://" + text.dropFirst("https://".count)
    } else if text.hasPrefix("http://") {
      text = "ws://" + text.dropFirst("http://".count)
    }
    return text
  }
}

extension HTTPVMOperations {
  func openConsole(_ vm: String) async throws -> VMConsole { try await attach(.vmConsoleAttach, vm) }

  func openGraphics(_ vm: String) async throws -> VMConsole { try await attach(.vmGraphicsAttach, vm) }

  private func attach(_ spec: OperationSpec, _ vm: String) async throws -> VMConsole {
    // A plain request first: the server answers 426 when the console can be opened, or says why not.
    let check = try await client.send(spec, [vm])
    switch check.status {
    case 426: break
    case 404: throw VMError.notFound(vm)
    case 400, 503: throw ConsoleError.unavailable(check.message)
    default: throw check.refusal
    }
    let info = try await info(vm)
    let channel = try await HTTPConsoleChannel.open(
      url: try client.webSocketURL(spec, [vm]), key: client.key)
    return VMConsole(vm: info.name, node: info.node, channel: channel)
  }
}
