/// An IPv4 address, parsed strictly from dotted-quad text.
public struct IPv4Address: Sendable, Hashable, Comparable, CustomStringConvertible, LosslessStringConvertible {
  /// The address as a 32-bit number.
  public var value: UInt32

  /// Parses `a.b.c.d` with each part 0-255 and no leading zeros; `nil` otherwise.
  public init?(_ text: String) {
    let parts = text.split(separator: ".", omittingEmptySubsequences: false)
    guard parts.count == 4 else { return nil }
    var value: UInt32 = 0
    for part in parts {
      guard !part.isEmpty, part.count <= 3, part.allSatisfy(\.isASCII), part.allSatisfy(\.isNumber),
        part.count == 1 || part.first != "0", let octet = UInt32(part), octet <= 255
      else { return nil }
      value = value << 8 | octet
    }
    self.value = value
  }

  /// Creates an address from its 32-bit value.
  public init(value: UInt32) { self.value = value }

  public var description: String {
    "\(value >> 24).\(value >> 16 & 255).\(value >> 8 & 255).\(value & 255)"
  }

  public static func < (lhs: IPv4Address, rhs: IPv4Address) -> Bool { lhs.value < rhs.value }

  /// Whether the address lies in the network `network/prefix`.
  public func isIn(network: IPv4Address, prefix: Int) -> Bool {
    let mask: UInt32 = prefix == 0 ? 0 : ~UInt32(0) << UInt32(32 - prefix)
    return value & mask == network.value & mask
  }
}
