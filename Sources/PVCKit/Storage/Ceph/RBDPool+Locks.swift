import CCeph
import Foundation

extension RBDPool {
  /// A lock on an image: the exclusive lock QEMU's librbd takes while it writes, or an advisory one.
  public struct Locker: Sendable, Hashable {
    /// The Ceph client holding it (`client.4123`).
    public var client: String
    /// The lock's cookie (`auto 1403...` for librbd's own).
    public var cookie: String
    /// The client's address (`10.0.1.1:0/123456`).
    public var address: String

    /// The IPv4 address in ``address``, if there is one.
    public var ipv4: String? {
      address.split(whereSeparator: { !($0.isNumber || $0 == ".") }).first { part in
        part.split(separator: ".", omittingEmptySubsequences: false).count == 4
      }.map(String.init)
    }
  }

  /// The image's lockers.
  public func lockers(of name: String) async throws -> [Locker] {
    let pool = self.pool
    return try await withImage(name, "list lockers") { image in
      var capacity = 256
      while capacity <= 1 << 20 {
        var exclusive: Int32 = 0
        var lengths = (tag: capacity, clients: capacity, cookies: capacity, addresses: capacity)
        var tag = [CChar](repeating: 0, count: capacity)
        var clients = [CChar](repeating: 0, count: capacity)
        var cookies = [CChar](repeating: 0, count: capacity)
        var addresses = [CChar](repeating: 0, count: capacity)
        let count = rbd_list_lockers(
          image, &exclusive, &tag, &lengths.tag, &clients, &lengths.clients, &cookies, &lengths.cookies, &addresses,
          &lengths.addresses)
        if count == -Int(ERANGE) {
          capacity = max(capacity * 2, lengths.tag, lengths.clients, lengths.cookies, lengths.addresses)
          continue
        }
        guard count >= 0 else { throw CephError("list lockers of \(pool)/\(name)", returned: Int32(clamping: count)) }
        func strings(_ buffer: [CChar], _ length: Int) -> [String] {
          buffer.prefix(min(length, buffer.count)).split(separator: 0, omittingEmptySubsequences: false).map {
            String(decoding: $0.map { UInt8(bitPattern: $0) }, as: UTF8.self)
          }
        }
        let (c, k, a) = (
          strings(clients, lengths.clients), strings(cookies, lengths.cookies), strings(addresses, lengths.addresses)
        )
        return (0..<count).compactMap { index in
          guard index < c.count, index < k.count, index < a.count else { return nil }
          return Locker(client: c[index], cookie: k[index], address: a[index])
        }
      }
      throw CephError("list lockers of \(pool)/\(name)", returned: -ERANGE)
    }
  }

  /// Breaks a lock (librbd also blocklists the holder, so it can write no more).
  public func breakLock(_ locker: Locker, of name: String) async throws {
    let pool = self.pool
    try await withImage(name, "break a lock") { image in
      let result = rbd_break_lock(image, locker.client, locker.cookie)
      guard result == 0 || result == -ENOENT else {
        throw CephError("break the lock of \(locker.client) on \(pool)/\(name)", returned: result)
      }
    }
  }
}
