/// Takes the first file out of a `multipart/form-data` body as it streams in
/// (pure): chunks go in, the file's bytes come out, with at most one delimiter's
/// length held back; the plain fields before it are kept in ``fields`` (up to 32 of
/// 4 KiB each; larger ones are skipped). Headers are bounded, so a body without
/// the structure it promises ends in an error, never in memory held without limit.
package struct MultipartFileParser {
  package enum Failure: Error, CustomStringConvertible {
    case malformed(String)
    package var description: String {
      switch self {
      case .malformed(let why): "the multipart body is malformed: \(why)"
      }
    }
  }

  private enum Phase {
    /// Looking for the next part's boundary line.
    case seekingBoundary
    /// Reading a part's headers.
    case headers
    /// Inside the file's content.
    case file
    /// Inside a part that is not a file (skipped).
    case skipping
    case done
  }

  /// The boundary given in the Content-Type header, checked (RFC 2046: 1 to 70 characters).
  package static func boundary(fromContentType type: String) -> String? {
    guard type.lowercased().hasPrefix("multipart/form-data") else { return nil }
    for parameter in type.split(separator: ";").dropFirst() {
      let pair = parameter.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
      guard pair.count == 2, pair[0].lowercased() == "boundary" else { continue }
      let value =
        pair[1].hasPrefix("\"") && pair[1].hasSuffix("\"") && pair[1].count >= 2
        ? String(pair[1].dropFirst().dropLast()) : pair[1]
      return (1...70).contains(value.utf8.count) && value.unicodeScalars.allSatisfy({ $0.isASCII && $0.value >= 32 })
        ? value : nil
    }
    return nil
  }

  private let opening: [UInt8]
  private let delimiter: [UInt8]
  private var phase = Phase.seekingBoundary
  private var buffer: [UInt8] = []
  /// The plain fields before the file, by name.
  package private(set) var fields: [String: String] = [:]
  /// The field being read (its name and what has come of it; `nil` name: not kept).
  private var field: (name: String?, value: [UInt8]) = (nil, [])
  static let fieldLimit = 4 << 10
  /// The most a part's headers (or the preamble) may take.
  static let headerLimit = 16 << 10

  /// Whether every file part is read, one after another (their contents concatenated), rather than the first.
  private let readsEveryFile: Bool
  /// How many file parts have been read whole.
  package private(set) var filesRead = 0

  /// A parser of a body with `boundary`; with `everyFile`, the contents of all its file parts come out in order.
  package init(boundary: String, everyFile: Bool = false) {
    opening = Array("--\(boundary)".utf8)
    delimiter = Array("\r\n--\(boundary)".utf8)
    readsEveryFile = everyFile
  }

  /// Whether the file has been read whole.
  package var isFinished: Bool { if case .done = phase { true } else { false } }

  /// Whether the file's part has begun (its fields have all been read).
  package var isInFile: Bool {
    switch phase {
    case .file, .done: true
    default: false
    }
  }

  /// Feeds a chunk; returns the file's bytes it completes.
  package mutating func feed(_ chunk: [UInt8]) throws -> [UInt8] {
    buffer += chunk
    var output: [UInt8] = []
    while true {
      switch phase {
      case .done:
        buffer.removeAll()
        return output
      case .seekingBoundary:
        // The preamble before the first boundary, or the rest of a skipped part.
        guard let found = Self.find(opening, in: buffer) else {
          if buffer.count > Self.headerLimit { buffer.removeFirst(buffer.count - opening.count) }
          return output
        }
        buffer.removeFirst(found + opening.count)
        phase = .headers
      case .headers:
        if buffer.starts(with: Array("--".utf8)) {
          // The closing boundary.
          guard readsEveryFile && filesRead > 0 else { throw Failure.malformed("it has no file") }
          phase = .done
          continue
        }
        guard let end = Self.find(Array("\r\n\r\n".utf8), in: buffer) else {
          if buffer.count > Self.headerLimit { throw Failure.malformed("a part's headers are too long") }
          return output
        }
        let text = String(decoding: buffer[..<end], as: UTF8.self)
        buffer.removeFirst(end + 4)
        if text.hasPrefix("--") {
          throw Failure.malformed("it has no file")
        }
        phase = text.lowercased().contains("filename=") ? .file : .skipping
        field = (Self.fieldName(text), [])
      case .file, .skipping:
        if let found = Self.find(delimiter, in: buffer) {
          if case .file = phase {
            output += buffer[..<found]
            filesRead += 1
            if readsEveryFile {
              buffer.removeFirst(found + 2)  // keep "--boundary" for the seek
              phase = .seekingBoundary
            } else {
              buffer.removeFirst(found)
              phase = .done
            }
          } else {
            keep(buffer[..<found])
            if let name = field.name, fields.count < 32 { fields[name] = String(decoding: field.value, as: UTF8.self) }
            field = (nil, [])
            buffer.removeFirst(found + 2)  // keep "--boundary" for the seek
            phase = .seekingBoundary
          }
          continue
        }
        // Everything but what could be the start of the delimiter is the part's content.
        let safe = max(0, buffer.count - (delimiter.count - 1))
        if case .file = phase { output += buffer[..<safe] } else { keep(buffer[..<safe]) }
        buffer.removeFirst(safe)
        return output
      }
    }
  }

  /// Adds a field part's bytes to the field being read; a field past the limit is not kept.
  private mutating func keep(_ bytes: ArraySlice<UInt8>) {
    guard field.name != nil else { return }
    if field.value.count + bytes.count > Self.fieldLimit {
      field = (nil, [])
    } else {
      field.value += bytes
    }
  }

  /// The `name` of a part's `Content-Disposition` header.
  static func fieldName(_ headers: String) -> String? {
    for line in headers.split(separator: "\r\n") where line.lowercased().hasPrefix("content-disposition:") {
      guard let range = line.range(of: "name=\"") else { return nil }
      let rest = line[range.upperBound...]
      guard let end = rest.firstIndex(of: "\"") else { return nil }
      return String(rest[..<end])
    }
    return nil
  }

  /// Ends the body: fails unless the file was complete.
  package func finish() throws {
    guard isFinished else { throw Failure.malformed("it ended before its file did (or it has no file)") }
  }

  /// The offset of `needle` in `haystack`.
  static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
    guard !needle.isEmpty, haystack.count >= needle.count else { return nil }
    let first = needle[0]
    var index = 0
    while index <= haystack.count - needle.count {
      if haystack[index] == first && haystack[index..<(index + needle.count)].elementsEqual(needle) { return index }
      index += 1
    }
    return nil
  }
}
