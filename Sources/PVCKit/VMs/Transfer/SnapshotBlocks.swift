/// Changed extents of a volume between two snapshots, as upstream's send protocol carries them: each one an 8-byte
/// big-endian offset, an 8-byte big-endian length, then that many bytes (one per multipart part of
/// `PUT /vm/<vm>/snapshot/receive/block`).
public struct SnapshotExtent: Sendable, Hashable {
  public var offset: UInt64
  public var data: [UInt8]

  public init(offset: UInt64, data: [UInt8]) {
    self.offset = offset
    self.data = data
  }

  /// The extent in the protocol's bytes.
  public var encoded: [UInt8] {
    var bytes: [UInt8] = []
    bytes.reserveCapacity(16 + data.count)
    for value in [offset, UInt64(data.count)] {
      for shift in stride(from: 56, through: 0, by: -8) {
        bytes.append(UInt8(truncatingIfNeeded: value >> UInt64(shift)))
      }
    }
    return bytes + data
  }
}

/// Reads extents from the protocol's bytes as they arrive (pure): whole headers, then data passed on in pieces as
/// it comes, so no extent is held whole. A header promising more than ``maximumLength`` bytes is refused.
public struct SnapshotExtentDecoder: Sendable {
  /// What a decoder hands on: bytes to write at an offset.
  public struct Write: Sendable, Hashable {
    public var offset: UInt64
    public var bytes: [UInt8]
  }

  /// The longest extent accepted (RBD objects are 4 MiB by default; upstream sends whole objects).
  public static let maximumLength: UInt64 = 1 << 30

  private var header: [UInt8] = []
  /// Where the extent being read writes next, and how much of it is to come.
  private var current: (offset: UInt64, remaining: UInt64)?

  public init() {}

  /// Feeds bytes; returns the writes they complete.
  /// - Throws: ``VMError/invalidArgument(_:)`` for an extent too long or past the end of a 64-bit offset.
  public mutating func feed(_ bytes: [UInt8]) throws -> [Write] {
    var writes: [Write] = []
    var rest = bytes[...]
    while !rest.isEmpty {
      if let (offset, remaining) = current {
        let take = Int(min(UInt64(rest.count), remaining))
        writes.append(Write(offset: offset, bytes: Array(rest.prefix(take))))
        rest = rest.dropFirst(take)
        current = remaining == UInt64(take) ? nil : (offset + UInt64(take), remaining - UInt64(take))
        continue
      }
      let need = 16 - header.count
      header += rest.prefix(need)
      rest = rest.dropFirst(need)
      guard header.count == 16 else { break }
      let offset = header[0..<8].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
      let length = header[8..<16].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
      header.removeAll()
      guard length <= Self.maximumLength, !offset.addingReportingOverflow(length).overflow else {
        throw VMError.invalidArgument("an extent of \(length) bytes at \(offset) is not acceptable")
      }
      if length > 0 { current = (offset, length) }
    }
    return writes
  }

  /// Fails unless the bytes ended between extents.
  public func finish() throws {
    guard header.isEmpty, current == nil else { throw VMError.invalidArgument("the changes ended inside an extent") }
  }
}
