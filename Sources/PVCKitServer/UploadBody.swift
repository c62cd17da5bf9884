package import Hummingbird
import NIOCore

/// A request body as an image's bytes, read only as fast as they are written
/// on (never collected): a multipart form's first file, or the body itself.
package enum UploadBody {
  /// The body's bytes for an upload.
  package static func bytes(of body: RequestBody, contentType: String, everyFile: Bool = false)
    -> AsyncThrowingStream<[UInt8], any Error>
  {
    let source = Source(body)
    guard let boundary = MultipartFileParser.boundary(fromContentType: contentType) else {
      return AsyncThrowingStream(unfolding: { try await source.next() })
    }
    let parser = ParserBox(MultipartFileParser(boundary: boundary, everyFile: everyFile))
    return AsyncThrowingStream(unfolding: {
      while let chunk = try await source.next() {
        let file = try await parser.feed(chunk)
        if !file.isEmpty { return file }
        if await parser.isFinished { return nil }
      }
      try await parser.finish()
      return nil
    })
  }

  /// The body's chunks, one at a time. (Unchecked: only the stream's unfolding closure calls it, and that runs
  /// one call at a time.)
  final class Source: @unchecked Sendable {
    private var iterator: RequestBody.AsyncIterator

    init(_ body: RequestBody) { iterator = body.makeAsyncIterator() }

    func next() async throws -> [UInt8]? {
      guard let buffer = try await iterator.next() else { return nil }
      return Array(buffer.readableBytesView)
    }
  }

  actor ParserBox {
    private var parser: MultipartFileParser
    init(_ parser: MultipartFileParser) { self.parser = parser }
    func feed(_ chunk: [UInt8]) throws -> [UInt8] { try parser.feed(chunk) }
    var isFinished: Bool { parser.isFinished }
    func finish() throws { try parser.finish() }
  }

  /// A multipart form's plain fields (those before its file) and its file's bytes: the body is read up to the
  /// file's start (at most 64 KiB of fields) when this returns, the file as the stream is consumed.
  package static func form(of body: RequestBody, contentType: String) async throws -> (
    fields: [String: String], file: AsyncThrowingStream<[UInt8], any Error>
  ) {
    guard let boundary = MultipartFileParser.boundary(fromContentType: contentType) else {
      throw MultipartFileParser.Failure.malformed("it is not multipart/form-data with a boundary")
    }
    let source = Source(body)
    var parser = MultipartFileParser(boundary: boundary)
    var first: [UInt8] = []
    var read = 0
    while !parser.isInFile {
      guard let chunk = try await source.next() else { break }
      read += chunk.count
      first += try parser.feed(chunk)
      if !parser.isInFile && read > 64 << 10 {
        throw MultipartFileParser.Failure.malformed("its fields before the file are larger than 64 KiB")
      }
    }
    let fields = parser.fields
    let box = ParserBox(parser)
    let pending = PendingBytes(first)
    let file = AsyncThrowingStream<[UInt8], any Error>(unfolding: {
      if let bytes = await pending.take(), !bytes.isEmpty { return bytes }
      if await box.isFinished { return nil }
      while let chunk = try await source.next() {
        let bytes = try await box.feed(chunk)
        if !bytes.isEmpty { return bytes }
        if await box.isFinished { return nil }
      }
      try await box.finish()
      return nil
    })
    return (fields, file)
  }

  /// The file's bytes that came with the fields, given once.
  actor PendingBytes {
    private var bytes: [UInt8]?
    init(_ bytes: [UInt8]) { self.bytes = bytes }
    func take() -> [UInt8]? {
      defer { bytes = nil }
      return bytes
    }
  }
}
