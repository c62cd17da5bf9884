import Hummingbird
import NIOCore
import PVCKit

/// A request body as an image's bytes, read only as fast as they are written
/// on (never collected): a multipart form's first file, or the body itself.
enum UploadBody {
  /// The body's bytes for an upload.
  static func bytes(of body: RequestBody, contentType: String) -> AsyncThrowingStream<[UInt8], any Error> {
    let source = Source(body)
    guard let boundary = MultipartFileParser.boundary(fromContentType: contentType) else {
      return AsyncThrowingStream(unfolding: { try await source.next() })
    }
    let parser = ParserBox(MultipartFileParser(boundary: boundary))
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
}
