import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// A blocking TCP connection made with the C library, for the few plain protocols PVCKit speaks itself (ZooKeeper's
/// wire protocol for bulk reads, its four-letter words). Callers run it off Swift's cooperative threads.
enum TCPSocket {
  /// A connected socket to `host:port` (each address tried in turn), with sends, receives and the connection
  /// itself bounded by `timeout` seconds; `nil` when none answers.
  static func connect(_ host: String, _ port: String, timeout seconds: Int) -> Int32? {
    var hints = addrinfo()
    hints.ai_family = AF_UNSPEC
    hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
    var list: UnsafeMutablePointer<addrinfo>?
    guard getaddrinfo(host, port, &hints, &list) == 0, let first = list else { return nil }
    defer { freeaddrinfo(list) }
    var entry: UnsafeMutablePointer<addrinfo>? = first
    while let address = entry {
      let fd = socket(address.pointee.ai_family, address.pointee.ai_socktype, address.pointee.ai_protocol)
      if fd >= 0 {
        var timeout = timeval(tv_sec: max(1, seconds), tv_usec: 0)
        let size = socklen_t(MemoryLayout<timeval>.size)
        // On Linux the send timeout bounds connect() too.
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, size)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, size)
        if Glibc.connect(fd, address.pointee.ai_addr, address.pointee.ai_addrlen) == 0 { return fd }
        Glibc.close(fd)
      }
      entry = address.pointee.ai_next
    }
    return nil
  }
}

/// ZooKeeper's four-letter words (`ruok`, `mntr`, `srvr`): a command sent on a fresh connection, the answer read
/// until the server closes it. The servers must allow them (`4lw.commands.whitelist`).
public enum FourLetterWord {
  /// The most of an answer kept.
  static let answerLimit = 1 << 20

  /// The server's answer to `word`, or `nil` when it cannot be had within `timeout` seconds.
  public static func ask(_ word: String, server: String, timeout: Int = 5) async -> String? {
    guard word.utf8.count == 4, word.allSatisfy(\.isLetter) else { return nil }
    let (host, port) = split(server)
    return await withCheckedContinuation { continuation in
      DispatchQueue.global().async {
        continuation.resume(returning: exchange(word, host: host, port: port, timeout: timeout))
      }
    }
  }

  /// `host:port` (or `[v6]:port`; port 2181 when none).
  static func split(_ server: String) -> (host: String, port: String) {
    if server.hasPrefix("["), let close = server.firstIndex(of: "]") {
      let host = String(server[server.index(after: server.startIndex)..<close])
      let rest = server[server.index(after: close)...]
      return (host, rest.hasPrefix(":") ? String(rest.dropFirst()) : "2181")
    }
    guard let colon = server.lastIndex(of: ":") else { return (server, "2181") }
    return (String(server[..<colon]), String(server[server.index(after: colon)...]))
  }

  private static func exchange(_ word: String, host: String, port: String, timeout: Int) -> String? {
    guard let fd = TCPSocket.connect(host, port, timeout: timeout) else { return nil }
    defer { close(fd) }
    let sent = word.withCString { send(fd, $0, 4, Int32(MSG_NOSIGNAL)) }
    guard sent == 4 else { return nil }
    var answer: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 16_384)
    while answer.count < answerLimit {
      let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
      guard count > 0 else { break }
      answer.append(contentsOf: buffer[..<count])
    }
    return String(decoding: answer, as: UTF8.self)
  }
}
