import Foundation

/// The regular files of a tar archive (an OVA is one) and where their bytes are, read header by header from
/// anywhere the archive can be read at an offset (an RBD image): nothing but the headers is read.
///
/// Understands ustar, GNU long names and pax `path` records; checks each header's checksum; stops at the end
/// marker or the archive's end; refuses more than 1,000 entries and entries past the archive's end.
struct TarIndex: Sendable, Hashable {
  struct Entry: Sendable, Hashable {
    var name: String
    /// Where the member's bytes start.
    var offset: UInt64
    var size: UInt64
  }

  var entries: [Entry]

  static let block: UInt64 = 512
  static let maximumEntries = 1000

  /// Indexes an archive of `size` bytes; `read(offset, count)` returns up to `count` bytes at `offset`.
  static func read(size: UInt64, _ read: (UInt64, Int) async throws -> [UInt8]) async throws -> TarIndex {
    var entries: [Entry] = []
    var offset: UInt64 = 0
    var longName: String?
    while offset + block <= size {
      let header = try await read(offset, Int(block))
      guard header.count == Int(block) else { throw ProvisionerError.invalid("the archive ends inside a header") }
      if header.allSatisfy({ $0 == 0 }) { break }
      guard checksumMatches(header) else {
        throw ProvisionerError.invalid("the archive is not a tar file (bad header checksum at byte \(offset))")
      }
      guard let length = number(header[124..<136]) else {
        throw ProvisionerError.invalid("the archive has an unreadable size at byte \(offset)")
      }
      let start = offset + block
      let (end, overflow) = start.addingReportingOverflow(length)
      guard !overflow, end <= size else {
        throw ProvisionerError.invalid("an archive member runs past the end of the archive (\(size) bytes)")
      }
      let type = header[156]
      switch type {
      case UInt8(ascii: "L"), UInt8(ascii: "x"):
        guard length <= 64 << 10 else { throw ProvisionerError.invalid("an archive's extended header is too large") }
        let data = try await read(start, Int(length))
        longName = type == UInt8(ascii: "L") ? text(data[...]) : paxPath(data) ?? longName
      case 0, UInt8(ascii: "0"), UInt8(ascii: "7"):
        let prefix = text(header[345..<500])
        let base = text(header[0..<100])
        let name = longName ?? (prefix.isEmpty || !isUstar(header) ? base : prefix + "/" + base)
        entries.append(Entry(name: name, offset: start, size: length))
        guard entries.count <= maximumEntries else {
          throw ProvisionerError.invalid("the archive has more than \(maximumEntries) members")
        }
        longName = nil
      default:
        longName = nil  // directories, links, global headers: not an OVA's business
      }
      offset = start + (length + block - 1) / block * block
    }
    return TarIndex(entries: entries)
  }

  /// The member named `name` (ignoring a leading `./`).
  func entry(_ name: String) -> Entry? {
    func plain(_ text: String) -> String { text.hasPrefix("./") ? String(text.dropFirst(2)) : text }
    return entries.first { plain($0.name) == plain(name) }
  }

  static func isUstar(_ header: [UInt8]) -> Bool { header[257..<262].elementsEqual("ustar".utf8) }

  static func text(_ bytes: ArraySlice<UInt8>) -> String {
    String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
  }

  /// An octal field, or a base-256 one (GNU, for sizes of 8 GiB and more).
  static func number(_ field: ArraySlice<UInt8>) -> UInt64? {
    if let first = field.first, first & 0x80 != 0 {
      var value: UInt64 = UInt64(first & 0x7F)
      for byte in field.dropFirst() {
        guard value >> 56 == 0 else { return nil }
        value = value << 8 | UInt64(byte)
      }
      return value
    }
    let digits = text(field).trimmingCharacters(in: .whitespaces)
    return digits.isEmpty ? 0 : UInt64(digits, radix: 8)
  }

  static func checksumMatches(_ header: [UInt8]) -> Bool {
    guard let stored = number(header[148..<156]) else { return false }
    var sum: UInt64 = 0
    for (index, byte) in header.enumerated() { sum += (148..<156).contains(index) ? 32 : UInt64(byte) }
    return sum == stored
  }

  /// The `path` of a pax extended header (`<length> path=<name>\n` records).
  static func paxPath(_ data: [UInt8]) -> String? {
    for record in String(decoding: data, as: UTF8.self).split(separator: "\n") {
      guard let space = record.firstIndex(of: " ") else { continue }
      let field = record[record.index(after: space)...]
      if field.hasPrefix("path=") { return String(field.dropFirst(5)) }
    }
    return nil
  }
}
