import Testing

@testable import PVCKitServer

/// The streaming multipart reader of uploads (pure).
@Suite("Multipart upload bodies")
struct MultipartFileParserTests {
  static let boundary = "----pvckit-boundary-7d2f"

  static func body(_ file: [UInt8], fields: Bool = true) -> [UInt8] {
    var text = "preamble ignored\r\n"
    if fields {
      text += "--\(boundary)\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nnot the file\r\n"
    }
    text += "--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"disk.img\"\r\n"
    text += "Content-Type: application/octet-stream\r\n\r\n"
    return Array(text.utf8) + file + Array("\r\n--\(boundary)--\r\n".utf8)
  }

  /// Feeds `body` in chunks of `size`; returns the file.
  static func parse(_ body: [UInt8], chunk size: Int) throws -> [UInt8] {
    var parser = MultipartFileParser(boundary: boundary)
    var file: [UInt8] = []
    var offset = 0
    while offset < body.count {
      file += try parser.feed(Array(body[offset..<min(body.count, offset + size)]))
      offset += size
    }
    try parser.finish()
    return file
  }

  @Test("the file comes out whole at every chunk size, bytes that look like a boundary included")
  func chunking() throws {
    // Content with CR LF, dashes and a near-boundary inside.
    let file =
      Array("\r\n--\(Self.boundary.dropLast())x\r\n".utf8) + (0..<3000).map { UInt8(truncatingIfNeeded: $0 * 7) }
    for size in [1, 2, 3, 7, 64, 1000, 100_000] {
      #expect(try Self.parse(Self.body(file), chunk: size) == file, "chunk \(size)")
      #expect(try Self.parse(Self.body(file, fields: false), chunk: size) == file, "chunk \(size)")
    }
    #expect(try Self.parse(Self.body([]), chunk: 5) == [])
  }

  @Test("a body without a file, cut short, or with endless headers is an error")
  func malformed() {
    let noFile = Array(
      "--\(Self.boundary)\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\nvalue\r\n--\(Self.boundary)--\r\n".utf8)
    #expect(throws: MultipartFileParser.Failure.self) { _ = try Self.parse(noFile, chunk: 10) }
    let cut = Array(Self.body(Array(repeating: 1, count: 100)).prefix(150))
    #expect(throws: MultipartFileParser.Failure.self) { _ = try Self.parse(cut, chunk: 10) }
    let endless = Array("--\(Self.boundary)\r\n".utf8) + Array(repeating: UInt8(ascii: "h"), count: 40_000)
    #expect(throws: MultipartFileParser.Failure.self) { _ = try Self.parse(endless, chunk: 1000) }
  }

  @Test("the boundary is read from the content type, quoted or not, and checked")
  func boundaries() {
    #expect(MultipartFileParser.boundary(fromContentType: "multipart/form-data; boundary=abc") == "abc")
    #expect(MultipartFileParser.boundary(fromContentType: "multipart/form-data; boundary=\"a b\"") == "a b")
    #expect(MultipartFileParser.boundary(fromContentType: "application/octet-stream") == nil)
    #expect(
      MultipartFileParser.boundary(
        fromContentType: "multipart/form-data; boundary=\(String(repeating: "x", count: 71))")
        == nil)
  }
}

extension MultipartFileParserTests {
  @Test("the plain fields before the file are kept at every chunk size; an over-long one is left out")
  func fields() throws {
    let long = String(repeating: "x", count: (4 << 10) + 1)
    var text = "--\(Self.boundary)\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\nab\r\ncd\r\n"
    text += "--\(Self.boundary)\r\nContent-Disposition: form-data; name=\"long\"\r\n\r\n\(long)\r\n"
    text += "--\(Self.boundary)\r\nContent-Disposition: form-data; name=\"pool\"\r\n\r\nvms\r\n"
    text += "--\(Self.boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.ova\"\r\n\r\n"
    let body = Array(text.utf8) + Array("FILE".utf8) + Array("\r\n--\(Self.boundary)--\r\n".utf8)
    for size in [1, 5, 64, 100_000] {
      var parser = MultipartFileParser(boundary: Self.boundary)
      var file: [UInt8] = []
      var offset = 0
      while offset < body.count {
        file += try parser.feed(Array(body[offset..<min(body.count, offset + size)]))
        offset += size
      }
      try parser.finish()
      #expect(file == Array("FILE".utf8), "chunk \(size)")
      #expect(parser.fields == ["csrf": "ab\r\ncd", "pool": "vms"], "chunk \(size)")
    }
  }
}
