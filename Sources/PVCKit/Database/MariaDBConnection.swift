import CMariaDB
import Dispatch
import Foundation
import Synchronization

/// A value bound to a prepared statement's placeholder (`?`): never pasted into SQL.
public enum SQLValue: Sendable, Hashable {
  case text(String)
  case integer(Int64)
  case null
}

/// A failed call into MariaDB: what was asked, the server's or client's error code and message.
public struct MariaDBError: ClassifiedError, Sendable, Hashable, CustomStringConvertible {
  public let operation: String
  public let code: UInt32
  public let message: String

  public var kind: ErrorKind {
    if isClusterForming { return .unavailable }
    return switch code {
    case 2002, 2003, 2006, 2013: .unavailable  // cannot connect, server gone, lost connection
    case 1045, 1044: .unauthorized
    case 1062: .refused  // duplicate entry
    case 1205: .timedOut
    default: .failed
    }
  }

  public var description: String { "MariaDB: \(operation) failed: \(message) (error \(code))" }

  /// The connection (or the member behind it) is gone: another member may answer.
  public var isConnectionLost: Bool { [2002, 2003, 2006, 2013, 1927, 4031].contains(code) }

  /// A transaction lost a race and may simply be run again: a deadlock or a Galera certification
  /// conflict (both 1213), a lock wait that timed out (1205), or a member not ready for statements (1047).
  public var isRetryable: Bool { [1213, 1205, 1047].contains(code) || isMemberOutOfCluster }

  /// The operation of a connect that found members answering but none synced (one rejoining, its donor
  /// desynced, or all of them forming a primary component again after a partition).
  static let noSyncedMember = "connect to a synced member"

  /// No member was synced when asked: the cluster is changing, and a connect a moment later may succeed.
  public var isClusterForming: Bool { operation == Self.noSyncedMember }

  /// The member left the cluster's primary component (a partition, or a member starved of CPU): it refuses
  /// writes, so nothing was applied, and the statement is run again on a connection to another member.
  public var isMemberOutOfCluster: Bool {
    code == 1047 || (code == 1180 && message.contains("Primary Component"))
  }
}

/// One connection to a MariaDB server (a Galera member), through libmariadb.
/// Every statement is prepared and its values bound (no SQL is built from
/// values); calls block while the server answers, so they run on the
/// connection's own serial queue, never on Swift's cooperative threads.
public final class MariaDBConnection: Sendable {
  /// Where and how to connect.
  public struct Settings: Sendable, Hashable {
    /// The members, `host:port`, tried in order.
    public var hosts: [String]
    public var user: String
    public var password: String
    public var database: String
    /// Seconds to connect, and to read or write an answer.
    public var timeout: Int
    /// Encrypts the connection (refused by a server without TLS), when set.
    public var tls: TLS?

    public init(
      hosts: [String], user: String, password: String, database: String, timeout: Int = 5, tls: TLS? = nil
    ) {
      self.hosts = hosts
      self.user = user
      self.password = password
      self.database = database
      self.timeout = timeout
      self.tls = tls
    }
  }

  /// TLS for a connection: always required once asked for; the server's certificate checked against
  /// `certificateAuthority` (a PEM file) when one is given.
  public struct TLS: Sendable, Hashable {
    public var certificateAuthority: String?
    public init(certificateAuthority: String? = nil) { self.certificateAuthority = certificateAuthority }
  }

  /// The member this connection reached (`host:port`).
  public let host: String
  private let handle: Handle
  private let queue: DispatchQueue
  private let closed = Mutex(false)

  struct Handle: @unchecked Sendable { let pointer: UnsafeMutablePointer<MYSQL> }

  private init(host: String, handle: Handle) {
    self.host = host
    self.handle = handle
    queue = DispatchQueue(label: "mariadb \(host)")
  }

  deinit {
    guard !closed.withLock({ $0 }) else { return }
    let handle = self.handle
    queue.async { mysql_close(handle.pointer) }
  }

  /// Connects to the first member that accepts and is a synced Galera member (or a plain server).
  /// - Throws: ``MariaDBError`` from the last member tried.
  public static func connect(_ settings: Settings) async throws -> MariaDBConnection {
    var last: (any Error)?
    var notSynced: [String] = []
    for host in settings.hosts {
      do {
        let connection = try await open(host, settings)
        let state = try await connection.query("SHOW STATUS LIKE 'wsrep_local_state_comment'")
        if let row = state.first, row.count == 2, let value = row[1], value != "Synced" {
          await connection.close()
          notSynced.append("\(host) is \(value)")
          throw MariaDBError(operation: "connect to \(host)", code: 0, message: "the member is \(value), not synced")
        }
        if !state.isEmpty {
          // Causal reads: a read waits until this member has applied what the cluster committed before it, so
          // a change made through another member (another program, another node) is always seen.
          _ = try? await connection.execute("SET SESSION wsrep_sync_wait = 1")
        }
        return connection
      } catch {
        last = error
      }
    }
    if !notSynced.isEmpty {
      throw MariaDBError(
        operation: MariaDBError.noSyncedMember, code: 0,
        message:
          "no member of \(settings.hosts.joined(separator: ", ")) is synced (\(notSynced.joined(separator: "; ")))")
    }
    throw last ?? MariaDBError(operation: "connect", code: 0, message: "no members given")
  }

  private static func open(_ host: String, _ settings: Settings) async throws -> MariaDBConnection {
    let parts = host.split(separator: ":")
    guard parts.count == 2, let port = UInt32(parts[1]) else {
      throw MariaDBError(operation: "connect", code: 0, message: "'\(host)' is not host:port")
    }
    let address = String(parts[0])
    let handle: Handle = try await withCheckedThrowingContinuation { continuation in
      DispatchQueue.global(qos: .userInitiated).async {
        guard let mysql = mysql_init(nil) else {
          continuation.resume(throwing: MariaDBError(operation: "connect", code: 0, message: "out of memory"))
          return
        }
        var timeout = UInt32(max(1, min(settings.timeout, 3600)))
        for option in [MYSQL_OPT_CONNECT_TIMEOUT, MYSQL_OPT_READ_TIMEOUT, MYSQL_OPT_WRITE_TIMEOUT] {
          _ = mysql_options(mysql, option, &timeout)
        }
        // Every Unicode character (MariaDB's "utf8" is three bytes at most).
        _ = mysql_options(mysql, MYSQL_SET_CHARSET_NAME, "utf8mb4")
        if let tls = settings.tls {
          var on: my_bool = 1
          _ = mysql_options(mysql, MYSQL_OPT_SSL_ENFORCE, &on)
          if let authority = tls.certificateAuthority {
            _ = mysql_options(mysql, MYSQL_OPT_SSL_CA, authority)
            _ = mysql_options(mysql, MYSQL_OPT_SSL_VERIFY_SERVER_CERT, &on)
          }
        }
        guard
          mysql_real_connect(
            mysql, address, settings.user, settings.password, settings.database, port, nil, 0) != nil
        else {
          let error = MariaDBError(
            operation: "connect to \(host)", code: mysql_errno(mysql), message: String(cString: mysql_error(mysql)))
          mysql_close(mysql)
          continuation.resume(throwing: error)
          return
        }
        continuation.resume(returning: Handle(pointer: mysql))
      }
    }
    return MariaDBConnection(host: host, handle: handle)
  }

  /// Closes the connection.
  public func close() async {
    guard
      closed.withLock({ closed in
        defer { closed = true }
        return !closed
      })
    else { return }
    let handle = self.handle
    await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
      queue.async {
        mysql_close(handle.pointer)
        done.resume()
      }
    }
  }

  /// Runs a statement; returns the rows it affected.
  @discardableResult
  public func execute(_ sql: String, _ values: [SQLValue] = []) async throws -> Int {
    try await run(sql, values).affected
  }

  /// Runs a query; returns its rows, each column as text (`nil` for NULL).
  public func query(_ sql: String, _ values: [SQLValue] = []) async throws -> [[String?]] {
    try await run(sql, values).rows
  }

  private func run(_ sql: String, _ values: [SQLValue]) async throws -> (rows: [[String?]], affected: Int) {
    let handle = self.handle
    let closed = self.closed.withLock { $0 }
    guard !closed else {
      throw MariaDBError(operation: "run a statement", code: 2006, message: "the connection is closed")
    }
    return try await withCheckedThrowingContinuation { continuation in
      queue.async {
        do {
          continuation.resume(returning: try Self.prepared(handle.pointer, sql, values))
        } catch {
          continuation.resume(throwing: error)
        }
      }
    }
  }

  /// Prepares, binds, runs and reads one statement (on the connection's queue).
  private static func prepared(_ mysql: UnsafeMutablePointer<MYSQL>, _ sql: String, _ values: [SQLValue]) throws
    -> (rows: [[String?]], affected: Int)
  {
    guard let statement = mysql_stmt_init(mysql) else {
      throw MariaDBError(operation: "prepare", code: mysql_errno(mysql), message: String(cString: mysql_error(mysql)))
    }
    defer { mysql_stmt_close(statement) }
    func failure(_ operation: String) -> MariaDBError {
      MariaDBError(
        operation: operation, code: mysql_stmt_errno(statement), message: String(cString: mysql_stmt_error(statement)))
    }
    guard mysql_stmt_prepare(statement, sql, UInt(sql.utf8.count)) == 0 else { throw failure("prepare") }
    guard Int(mysql_stmt_param_count(statement)) == values.count else {
      throw MariaDBError(
        operation: "bind", code: 0,
        message: "the statement has \(mysql_stmt_param_count(statement)) placeholders, \(values.count) values given")
    }
    // Parameters: buffers that live until the statement has run.
    var binds = [MYSQL_BIND](repeating: MYSQL_BIND(), count: values.count)
    var buffers: [UnsafeMutableRawPointer] = []
    defer { for buffer in buffers { buffer.deallocate() } }
    for (index, value) in values.enumerated() {
      switch value {
      case .text(let text):
        let bytes = Array(text.utf8)
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: max(1, bytes.count), alignment: 8)
        bytes.withUnsafeBytes { buffer.copyMemory(from: $0.baseAddress!, byteCount: bytes.count) }
        buffers.append(buffer)
        binds[index].buffer_type = MYSQL_TYPE_STRING
        binds[index].buffer = buffer
        binds[index].buffer_length = UInt(bytes.count)
        binds[index].length_value = UInt(bytes.count)
      case .integer(let number):
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: 8, alignment: 8)
        buffer.storeBytes(of: number, as: Int64.self)
        buffers.append(buffer)
        binds[index].buffer_type = MYSQL_TYPE_LONGLONG
        binds[index].buffer = buffer
      case .null:
        binds[index].buffer_type = MYSQL_TYPE_NULL
      }
    }
    if !values.isEmpty {
      let bound = binds.withUnsafeMutableBufferPointer { mysql_stmt_bind_param(statement, $0.baseAddress) }
      guard bound == 0 else { throw failure("bind") }
    }
    guard mysql_stmt_execute(statement) == 0 else { throw failure("execute") }
    let affected = Int(clamping: Int64(bitPattern: mysql_stmt_affected_rows(statement)))
    guard let metadata = mysql_stmt_result_metadata(statement) else { return ([], affected) }
    defer { mysql_free_result(metadata) }
    let columns = Int(mysql_num_fields(metadata))
    guard mysql_stmt_store_result(statement) == 0 else { throw failure("read the result") }
    // Results: each column bound without a buffer; its length says how much to fetch.
    var results = [MYSQL_BIND](repeating: MYSQL_BIND(), count: columns)
    let lengths = UnsafeMutablePointer<UInt>.allocate(capacity: columns)
    let nulls = UnsafeMutablePointer<my_bool>.allocate(capacity: columns)
    defer {
      lengths.deallocate()
      nulls.deallocate()
    }
    for index in 0..<columns {
      lengths[index] = 0
      nulls[index] = 0
      results[index].buffer_type = MYSQL_TYPE_STRING
      results[index].length = lengths + index
      results[index].is_null = nulls + index
    }
    guard (results.withUnsafeMutableBufferPointer { mysql_stmt_bind_result(statement, $0.baseAddress) }) == 0 else {
      throw failure("bind the result")
    }
    var rows: [[String?]] = []
    while true {
      let fetched = mysql_stmt_fetch(statement)
      if fetched == MYSQL_NO_DATA { break }
      guard fetched == 0 || fetched == MYSQL_DATA_TRUNCATED else { throw failure("fetch") }
      var row: [String?] = []
      for index in 0..<columns {
        if nulls[index] != 0 {
          row.append(nil)
          continue
        }
        let length = Int(lengths[index])
        guard length > 0 else {
          row.append("")
          continue
        }
        guard length <= 16 << 20 else {
          throw MariaDBError(operation: "fetch", code: 0, message: "a value over 16 MiB")
        }
        var bytes = [UInt8](repeating: 0, count: length)
        var column = MYSQL_BIND()
        var got: UInt = 0
        column.buffer_type = MYSQL_TYPE_STRING
        column.buffer_length = UInt(length)
        let status = bytes.withUnsafeMutableBytes { buffer -> Int32 in
          column.buffer = buffer.baseAddress
          return withUnsafeMutablePointer(to: &got) { lengthPointer in
            column.length = lengthPointer
            return mysql_stmt_fetch_column(statement, &column, UInt32(index), 0)
          }
        }
        guard status == 0 else { throw failure("fetch a column") }
        row.append(String(decoding: bytes.prefix(Int(got)), as: UTF8.self))
      }
      rows.append(row)
    }
    return (rows, affected)
  }
}
