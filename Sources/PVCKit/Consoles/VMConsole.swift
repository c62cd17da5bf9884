import Foundation

/// What carries a console's bytes: a libvirt stream (direct) or a WebSocket (through the API).
protocol ConsoleChannel: Sendable {
  /// What the guest writes, in order; ends when the console closes (with the reason as the error).
  var output: AsyncThrowingStream<[UInt8], any Error> { get }
  /// Queues input for the guest.
  func send(_ bytes: [UInt8]) async throws
  /// Closes the console.
  func close(reason: String?) async
}

/// Why a console could not be opened or why it closed.
public enum ConsoleError: Error, Sendable, Equatable, CustomStringConvertible {
  /// The console cannot be opened (the VM is not running, has no serial console, or its node cannot be reached).
  case unavailable(String)
  /// The console closed: the VM stopped or moved, the session ended, another session took it over.
  case closed(String)

  public var description: String {
    switch self {
    case .unavailable(let reason): reason
    case .closed(let reason): reason
    }
  }
}

extension ConsoleError: ClassifiedError {
  public var kind: ErrorKind {
    switch self {
    case .unavailable: .refused
    case .closed: .failed
    }
  }
}

/// The serial console (or the graphical console's VNC byte stream) of a running VM, open: what comes from the
/// guest, and what is sent to it.
///
/// ```swift
/// let console = try await cluster.vms.openConsole("web1")
/// try await console.send(Array("uname -a\n".utf8))
/// for try await bytes in console.output { print(String(decoding: bytes, as: UTF8.self), terminator: "") }
/// ```
/// Only one session holds a VM's console at a time: opening it takes it over from the one before, whose output
/// ends with ``ConsoleError/closed(_:)``. The console closes when the VM stops or moves to another node.
public final class VMConsole: Sendable {
  /// The VM's name.
  public let vm: String
  /// The node the VM was running on when the console opened.
  public let node: String
  private let channel: any ConsoleChannel
  private let watcher: Task<Void, Never>?

  init(vm: String, node: String, channel: any ConsoleChannel, watch: (@Sendable () async -> String?)? = nil) {
    self.vm = vm
    self.node = node
    self.channel = channel
    if let watch {
      // Checked once a second: a VM that left the node (or stopped) takes its console with it.
      watcher = Task { [channel] in
        while !Task.isCancelled {
          try? await Task.sleep(for: .seconds(1))
          if Task.isCancelled { return }
          if let reason = await watch() {
            await channel.close(reason: reason)
            return
          }
        }
      }
    } else {
      watcher = nil
    }
  }

  deinit {
    watcher?.cancel()
    let channel = channel
    Task { await channel.close(reason: nil) }
  }

  /// What the guest writes, as it writes it. Ends when the console closes; a close for a reason other than
  /// ``close()`` ends it with ``ConsoleError/closed(_:)`` naming the reason.
  public var output: AsyncThrowingStream<[UInt8], any Error> { channel.output }

  /// Sends input to the guest (keys typed, pasted text).
  /// - Throws: ``ConsoleError/closed(_:)`` once the console is closed.
  public func send(_ bytes: [UInt8]) async throws { try await channel.send(bytes) }

  /// Closes the console.
  public func close() async {
    watcher?.cancel()
    await channel.close(reason: nil)
  }

  /// Closes the console, saying why (the reason ends ``output`` as its error).
  public func close(reason: String) async {
    watcher?.cancel()
    await channel.close(reason: reason)
  }
}

/// How a program connected directly to ZooKeeper reaches a node's libvirt daemon, for consoles.
public struct NodeLibvirtAccess: Sendable {
  /// The libvirt URI of a node, by name (`qemu+tcp://10.0.0.1/system`).
  public var uri: @Sendable (String) -> String
  /// The address of a node, by name (where its VMs' VNC servers listen on every address).
  public var address: @Sendable (String) -> String

  /// Access through the given URIs; a node's address is its URI's host.
  public init(uri: @escaping @Sendable (String) -> String) {
    self.uri = uri
    address = { URL(string: uri($0))?.host ?? $0 }
  }

  /// Access over a cluster network (pvc.conf's `cluster.networks.cluster`), at the address each node's id selects
  /// (`qemu+tcp://<address>/system`), as live migrations go.
  public init(clusterNetwork network: PVCConfiguration.CoreNetwork) {
    let address: @Sendable (String) -> String = { network.address(of: $0)?.description ?? "0.0.0.0" }
    self.address = address
    uri = { "qemu+tcp://\(address($0))/system" }
  }
}
