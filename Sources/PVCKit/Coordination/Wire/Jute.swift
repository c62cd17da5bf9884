/// Encodes ZooKeeper's wire format (jute): big-endian integers, length-prefixed
/// buffers and strings.
struct JuteWriter {
  var bytes: [UInt8] = []

  mutating func int(_ value: Int32) {
    withUnsafeBytes(of: value.bigEndian) { bytes.append(contentsOf: $0) }
  }

  mutating func long(_ value: Int64) {
    withUnsafeBytes(of: value.bigEndian) { bytes.append(contentsOf: $0) }
  }

  mutating func bool(_ value: Bool) { bytes.append(value ? 1 : 0) }

  mutating func buffer(_ value: [UInt8]) {
    int(Int32(value.count))
    bytes.append(contentsOf: value)
  }

  mutating func string(_ value: String) { buffer(Array(value.utf8)) }

  /// The bytes with their 4-byte length in front, as every request is framed.
  var framed: [UInt8] {
    var frame = JuteWriter()
    frame.int(Int32(bytes.count))
    return frame.bytes + bytes
  }
}

/// Decodes ZooKeeper's wire format; every read checks the remaining length.
struct JuteReader {
  let bytes: ArraySlice<UInt8>
  var offset: Int

  init(_ bytes: ArraySlice<UInt8>) {
    self.bytes = bytes
    offset = bytes.startIndex
  }

  init(_ bytes: [UInt8]) { self.init(bytes[...]) }

  struct Truncated: Error {}

  mutating func take(_ count: Int) throws -> ArraySlice<UInt8> {
    guard count >= 0, offset + count <= bytes.endIndex else { throw Truncated() }
    defer { offset += count }
    return bytes[offset..<offset + count]
  }

  mutating func int() throws -> Int32 {
    try take(4).reduce(0) { $0 << 8 | Int32($1) }
  }

  mutating func long() throws -> Int64 {
    try take(8).reduce(0) { $0 << 8 | Int64($1) }
  }

  mutating func bool() throws -> Bool { try take(1).first != 0 }

  /// A buffer; `-1` (null) reads as empty.
  mutating func buffer() throws -> [UInt8] {
    let count = try int()
    return count < 0 ? [] : Array(try take(Int(count)))
  }

  mutating func string() throws -> String { String(decoding: try buffer(), as: UTF8.self) }

  mutating func stat() throws -> ZNodeStat {
    ZNodeStat(
      czxid: try long(), mzxid: try long(), ctime: try long(), mtime: try long(), version: try int(),
      cversion: try int(), aversion: try int(), ephemeralOwner: try long(), dataLength: try int(),
      numChildren: try int(), pzxid: try long())
  }
}
