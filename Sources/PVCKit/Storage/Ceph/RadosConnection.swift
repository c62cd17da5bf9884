import CCeph
import Dispatch
import Foundation
import Synchronization

/// A connection to a Ceph cluster through librados, as one client (`client.admin`
/// by default) with a `ceph.conf` and the keyring it names.
///
/// librados calls block while the cluster answers, so every call runs on this
/// connection's own dispatch queue, never on Swift's cooperative threads (the
/// handle is thread-safe, so calls may overlap). Every call is bounded by the
/// client's operation timeouts (`timeout`), so a cluster that is down gives an
/// error, never a hang.
public final class RadosConnection: Sendable {
  /// The configuration file it was opened with.
  public let configurationFile: String
  /// The client name without `client.` (`admin`).
  public let user: String
  private let cluster: RadosHandle
  let queue: DispatchQueue
  /// Set once ``shutdown()`` has begun: calls are refused from then on.
  private let closed = Mutex(false)

  private init(configurationFile: String, user: String, cluster: RadosHandle) {
    self.configurationFile = configurationFile
    self.user = user
    self.cluster = cluster
    queue = DispatchQueue(label: "rados \(configurationFile)", qos: .userInitiated, attributes: .concurrent)
  }

  /// Connects to the cluster `configurationFile` describes.
  /// - Parameter timeout: seconds any monitor or OSD operation may take (also the connection's).
  /// - Throws: ``CephError`` if the file cannot be read or the monitors cannot be reached.
  public static func connect(configurationFile: String, user: String = "admin", timeout: Int = 10) async throws
    -> RadosConnection
  {
    guard !user.isEmpty, user.utf8.count <= 64, user.allSatisfy({ $0.isLetter || $0.isNumber || "._-".contains($0) })
    else { throw CephError("connect", returned: -EINVAL, message: "'\(user)' is not a Ceph client name") }
    let seconds = String(max(1, min(timeout, 3600)))
    let handle: RadosHandle = try await withCheckedThrowingContinuation { continuation in
      DispatchQueue.global(qos: .userInitiated).async {
        var cluster: rados_t?
        var result = rados_create(&cluster, user)
        guard result == 0, let cluster else {
          continuation.resume(throwing: CephError("create a client", returned: result))
          return
        }
        result = rados_conf_read_file(cluster, configurationFile)
        if result == 0 {
          for option in ["client_mount_timeout", "rados_mon_op_timeout", "rados_osd_op_timeout"] {
            _ = rados_conf_set(cluster, option, seconds)
          }
          result = rados_connect(cluster)
          if result != 0 {
            rados_shutdown(cluster)
            continuation.resume(throwing: CephError("connect to the cluster of \(configurationFile)", returned: result))
            return
          }
          continuation.resume(returning: RadosHandle(pointer: cluster))
        } else {
          rados_shutdown(cluster)
          continuation.resume(throwing: CephError("read \(configurationFile)", returned: result))
        }
      }
    }
    return RadosConnection(configurationFile: configurationFile, user: user, cluster: handle)
  }

  deinit {
    guard !closed.withLock({ $0 }) else { return }
    // Shutting a client down waits for its threads (seconds when the cluster is away): never on the thread that
    // let go of the connection, which may be one of Swift's few cooperative threads.
    let cluster = self.cluster
    DispatchQueue.global(qos: .utility).async { rados_shutdown(cluster.pointer) }
  }

  /// Shuts the client down and waits until it has (a program that exits right after must not leave librados'
  /// threads running while the process ends). Calls made afterwards fail.
  public func shutdown() async {
    let first = closed.withLock { closed in
      defer { closed = true }
      return !closed
    }
    guard first else { return }
    let cluster = self.cluster
    let queue = self.queue
    await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
      // After the calls already queued (a barrier on the connection's concurrent queue).
      queue.async(flags: .barrier) {
        rados_shutdown(cluster.pointer)
        done.resume()
      }
    }
  }

  /// Runs `body` with the cluster handle on this connection's queue.
  func blocking<T: Sendable>(_ body: @escaping @Sendable (rados_t) throws -> T) async throws -> T {
    let cluster = self.cluster
    return try await withCheckedThrowingContinuation { continuation in
      queue.async {
        do {
          guard !self.closed.withLock({ $0 }) else {
            throw CephError("use the Ceph client", returned: -ESHUTDOWN, message: "the client was shut down")
          }
          continuation.resume(returning: try body(cluster.pointer))
        } catch {
          continuation.resume(throwing: error)
        }
      }
    }
  }

  /// What a monitor command answered: its output (JSON when asked for) and its status text.
  public struct CommandResult: Sendable, Hashable {
    public var output: String
    public var status: String
  }

  /// Runs a monitor command given as its JSON fields (`["prefix": "osd pool ls", "format": "json"]`).
  /// Values are encoded by PVCKit (never pasted into text), so a value cannot change the command.
  /// - Throws: ``CephError`` with the monitor's status text when the command failed.
  public func monitorCommand(_ fields: [String: JSONValue]) async throws -> CommandResult {
    try await command(fields, manager: false)
  }

  /// Runs a command the active manager serves (`osd purge`, `osd safe-to-destroy`...), as ``monitorCommand(_:)``.
  public func managerCommand(_ fields: [String: JSONValue]) async throws -> CommandResult {
    try await command(fields, manager: true)
  }

  private func command(_ fields: [String: JSONValue], manager: Bool) async throws -> CommandResult {
    let command = String(decoding: try UpstreamJSON.encode(JSONValue.object(fields)), as: UTF8.self)
    let name: String = if case .string(let prefix)? = fields["prefix"] { prefix } else { "?" }
    let kind = manager ? "mgr" : "mon"
    return try await blocking { cluster in
      var output: UnsafeMutablePointer<CChar>?
      var outputLength = 0
      var status: UnsafeMutablePointer<CChar>?
      var statusLength = 0
      let result = command.withCString { text -> Int32 in
        var commands: [UnsafePointer<CChar>?] = [text]
        return commands.withUnsafeMutableBufferPointer { buffer in
          buffer.baseAddress!.withMemoryRebound(to: UnsafePointer<CChar>?.self, capacity: 1) { pointer in
            manager
              ? rados_mgr_command(
                cluster, UnsafeMutablePointer(mutating: pointer), 1, nil, 0, &output, &outputLength, &status,
                &statusLength)
              : rados_mon_command(
                cluster, UnsafeMutablePointer(mutating: pointer), 1, nil, 0, &output, &outputLength, &status,
                &statusLength)
          }
        }
      }
      defer {
        if let output { rados_buffer_free(output) }
        if let status { rados_buffer_free(status) }
      }
      let outputText = output.map { Self.text($0, outputLength) } ?? ""
      let statusText = status.map { Self.text($0, statusLength) } ?? ""
      guard result >= 0 else { throw CephError("\(kind) command '\(name)'", returned: result, message: statusText) }
      return CommandResult(output: outputText, status: statusText)
    }
  }

  /// A monitor command's JSON answer, parsed.
  public func monitorJSON(_ fields: [String: JSONValue]) async throws -> JSONValue {
    var fields = fields
    fields["format"] = .string("json")
    let result = try await monitorCommand(fields)
    do {
      return try JSONValue(parsing: result.output)
    } catch {
      throw CephError("mon command answer", returned: -EINVAL, message: "not JSON: \(result.output.prefix(200))")
    }
  }

  /// The names of the cluster's pools, as of the latest OSD map.
  public func poolNames() async throws -> [String] {
    try await blocking { cluster in
      // The client's map of pools may lag behind a pool just made or removed (by anyone).
      _ = rados_wait_for_latest_osdmap(cluster)
      var size = 4096
      while size <= 1 << 24 {
        var buffer = [CChar](repeating: 0, count: size)
        let needed = Int(rados_pool_list(cluster, &buffer, size))
        guard needed >= 0 else { throw CephError("list pools", returned: Int32(clamping: needed)) }
        if needed <= size {
          // Names separated by NUL, ending with an empty one.
          return buffer.prefix(needed).split(separator: 0).map {
            String(decoding: $0.map { UInt8(bitPattern: $0) }, as: UTF8.self)
          }
        }
        size = needed
      }
      throw CephError("list pools", returned: -ERANGE)
    }
  }

  private static func text(_ pointer: UnsafeMutablePointer<CChar>, _ length: Int) -> String {
    let bytes = UnsafeRawBufferPointer(start: pointer, count: max(0, length))
    return String(decoding: bytes, as: UTF8.self)
  }
}

/// A librados cluster handle, shared by the connection's calls (librados handles are thread-safe).
struct RadosHandle: @unchecked Sendable {
  let pointer: rados_t
}
