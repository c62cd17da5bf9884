import Glibc

/// An IP address (v4 or v6) as 16 bytes (a v4 address in the first 4), parsed
/// strictly: dotted quads for v4 (no leading zeros, no shortened forms), the
/// forms `inet_pton` accepts for v6.
public struct IPAddress: Sendable, Hashable, Comparable, CustomStringConvertible {
  /// 4 or 16 bytes.
  public let bytes: [UInt8]
  public var isV4: Bool { bytes.count == 4 }

  /// Parses an address; `nil` if it is not one.
  public init?(_ text: String) {
    guard !text.isEmpty, text.utf8.count <= 45, text.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else { return nil }
    if text.contains(":") {
      var storage = in6_addr()
      guard inet_pton(AF_INET6, text, &storage) == 1 else { return nil }
      bytes = withUnsafeBytes(of: &storage) { Array($0) }
    } else {
      let parts = text.split(separator: ".", omittingEmptySubsequences: false)
      guard parts.count == 4 else { return nil }
      var octets: [UInt8] = []
      for part in parts {
        guard (1...3).contains(part.count), part.allSatisfy(\.isASCII), part.allSatisfy(\.isNumber),
          part.count == 1 || part.first != "0", let value = UInt8(part)
        else { return nil }
        octets.append(value)
      }
      bytes = octets
    }
  }

  init(bytes: [UInt8]) { self.bytes = bytes }

  public var description: String {
    if isV4 { return bytes.map(String.init).joined(separator: ".") }
    var storage = in6_addr()
    withUnsafeMutableBytes(of: &storage) { $0.copyBytes(from: bytes) }
    var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
    guard inet_ntop(AF_INET6, &storage, &buffer, socklen_t(buffer.count)) != nil else { return "?" }
    return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
  }

  public static func < (a: IPAddress, b: IPAddress) -> Bool { a.bytes.lexicographicallyPrecedes(b.bytes) }
}

/// A network in CIDR form (`10.100.0.0/24`, `fd00::/64`), with its address
/// exactly the network's first address.
public struct IPNetwork: Sendable, Hashable, CustomStringConvertible {
  public let address: IPAddress
  public let prefixLength: Int

  /// Parses `address/prefix`; `nil` if it is not a network (host bits set included).
  public init?(_ text: String) {
    let parts = text.split(separator: "/", omittingEmptySubsequences: false)
    guard parts.count == 2, let address = IPAddress(String(parts[0])), parts[1].count <= 3,
      parts[1].allSatisfy({ $0.isASCII && $0.isNumber }), let length = Int(parts[1]),
      (0...(address.bytes.count * 8)).contains(length)
    else { return nil }
    self.address = address
    self.prefixLength = length
    guard Self.masked(address, length) == address else { return nil }
  }

  public var isV4: Bool { address.isV4 }
  public var description: String { "\(address)/\(prefixLength)" }

  /// The address with every bit after `length` cleared.
  static func masked(_ address: IPAddress, _ length: Int) -> IPAddress {
    var bytes = address.bytes
    for index in bytes.indices {
      let bits = max(0, min(8, length - index * 8))
      bytes[index] &= bits == 0 ? 0 : UInt8(truncatingIfNeeded: 0xFF << (8 - bits))
    }
    return IPAddress(bytes: bytes)
  }

  /// Whether `address` is inside this network.
  public func contains(_ address: IPAddress) -> Bool {
    address.isV4 == isV4 && Self.masked(address, prefixLength) == self.address
  }

  /// Whether the two networks share an address.
  public func overlaps(_ other: IPNetwork) -> Bool {
    guard other.isV4 == isV4 else { return false }
    let shorter = min(prefixLength, other.prefixLength)
    return Self.masked(address, shorter) == Self.masked(other.address, shorter)
  }

  /// The last address (IPv4's broadcast address).
  public var last: IPAddress {
    var bytes = address.bytes
    for index in bytes.indices {
      let bits = max(0, min(8, prefixLength - index * 8))
      bytes[index] |= bits == 8 ? 0 : UInt8(truncatingIfNeeded: 0xFF >> bits)
    }
    return IPAddress(bytes: bytes)
  }
}
