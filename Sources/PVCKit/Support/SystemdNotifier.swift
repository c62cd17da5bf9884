import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// systemd's notification protocol (`sd_notify`): one datagram of `KEY=VALUE` lines to the socket named by
/// `$NOTIFY_SOCKET`. pvcd's unit is `Type=notify` with `WatchdogSec=`: it says `READY=1` once its node is
/// registered, `WATCHDOG=1` from every pass of its keepalive loop, and `STOPPING=1` when it begins to stop.
///
/// Outside systemd (no `$NOTIFY_SOCKET`) every call does nothing. A socket that cannot be reached is not an error:
/// the notification is lost, as with libsystemd's own `sd_notify`.
public struct SystemdNotifier: Sendable {
  /// The socket's path (`@` at the start names an abstract socket), or `nil` outside systemd.
  public let socketPath: String?

  /// The longest path a `sockaddr_un` holds (without its terminating zero).
  static let pathLimit = 107

  /// A notifier for `$NOTIFY_SOCKET` of `environment` (`nil`: this process's).
  public init(environment: [String: String]? = nil) {
    let path = (environment ?? ProcessInfo.processInfo.environment)["NOTIFY_SOCKET"] ?? ""
    let usable = (path.hasPrefix("/") || path.hasPrefix("@")) && path.utf8.count <= Self.pathLimit
    socketPath = usable && !path.utf8.contains(0) ? path : nil
  }

  /// Tells systemd the service is up (`READY=1`), with a status line.
  public func ready(status: String) { send(["READY=1", "STATUS=\(status)"]) }

  /// Feeds systemd's watchdog for the service (`WATCHDOG=1`).
  public func watchdog() { send(["WATCHDOG=1"]) }

  /// Tells systemd the service is stopping (`STOPPING=1`).
  public func stopping() { send(["STOPPING=1"]) }

  /// Sends `lines` as one datagram; newlines inside a line are replaced, so one value cannot add another key.
  /// Returns whether the datagram was sent.
  @discardableResult
  public func send(_ lines: [String]) -> Bool {
    guard let socketPath else { return false }
    let message = lines.map { $0.replacingOccurrences(of: "\n", with: " ") }.joined(separator: "\n")
    let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
    guard fd >= 0 else { return false }
    defer { close(fd) }
    var address = sockaddr_un()
    address.sun_family = sa_family_t(AF_UNIX)
    var pathBytes = Array(socketPath.utf8)
    if pathBytes.first == UInt8(ascii: "@") { pathBytes[0] = 0 }  // abstract namespace
    withUnsafeMutableBytes(of: &address.sun_path) { raw in
      for (index, byte) in pathBytes.enumerated() where index < raw.count { raw[index] = byte }
    }
    // Abstract names count their exact length; paths end at their terminating zero.
    let length = socklen_t(MemoryLayout<sa_family_t>.size + pathBytes.count + (pathBytes.first == 0 ? 0 : 1))
    let sent = message.withCString { text in
      withUnsafePointer(to: &address) { pointer in
        pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
          sendto(fd, text, strlen(text), Int32(MSG_NOSIGNAL), $0, length)
        }
      }
    }
    return sent >= 0
  }
}
