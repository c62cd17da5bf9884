import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// A minimal DNS client for the benchmark: one UDP query for an A record, answered or not. In process, so that
/// polling for an answer costs microseconds rather than a `dig` process each time.
struct DNSProbe {
  let address: String
  let port: Int

  /// Whether the server answers `name` with at least one record (RCODE 0, ANCOUNT > 0).
  func isAnswered(_ name: String) throws -> Bool {
    let socket = Glibc.socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
    guard socket >= 0 else { throw BenchmarkError("no UDP socket") }
    defer { close(socket) }
    var timeout = timeval(tv_sec: 1, tv_usec: 0)
    setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    var target = sockaddr_in()
    target.sin_family = sa_family_t(AF_INET)
    target.sin_port = in_port_t(UInt16(port).bigEndian)
    guard inet_pton(AF_INET, address, &target.sin_addr) == 1 else { throw BenchmarkError("bad address \(address)") }
    let id = UInt16.random(in: 1...UInt16.max)
    var query: [UInt8] = [UInt8(id >> 8), UInt8(id & 0xFF), 0, 0, 0, 1, 0, 0, 0, 0, 0, 0]
    for label in name.split(separator: ".") {
      query.append(UInt8(label.utf8.count))
      query += label.utf8
    }
    query += [0, 0, 1, 0, 1]  // root, type A, class IN
    let sent = withUnsafePointer(to: &target) { pointer in
      pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
        sendto(socket, query, query.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
      }
    }
    guard sent == query.count else { throw BenchmarkError("the DNS query was not sent") }
    var answer = [UInt8](repeating: 0, count: 1500)
    let received = recv(socket, &answer, answer.count, 0)
    guard received >= 12, answer[0] == UInt8(id >> 8), answer[1] == UInt8(id & 0xFF) else { return false }
    let rcode = answer[3] & 0x0F
    let answers = Int(answer[6]) << 8 | Int(answer[7])
    return rcode == 0 && answers > 0
  }

  /// Seconds until `name` is answered (polling without pause), or `nil` after `limit` seconds.
  func secondsUntilAnswered(_ name: String, since start: ContinuousClock.Instant, limit: Double = 10) throws
    -> Double?
  {
    while true {
      if try isAnswered(name) { return (ContinuousClock.now - start).seconds }
      if (ContinuousClock.now - start).seconds > limit { return nil }
    }
  }
}
