extension JSONValue {
  /// The largest text and the deepest nesting ``init(parsing:)`` accepts.
  public static let parsingLimits = (bytes: 1 << 20, depth: 64)

  /// Parses JSON text (RFC 8259, strictly: no comments, no trailing commas, no
  /// NaN or infinities, at most ``parsingLimits``). Whole numbers that fit are
  /// ``integer(_:)``, others ``number(_:)``.
  ///
  /// Written for the values PVCKit reads thousands at a time (VM and node
  /// statistics): about ten times quicker than `JSONDecoder` into a type with
  /// dictionaries, which spends its time in generic containers.
  /// - Throws: ``JSONValue/ParseError`` saying where the text stops being JSON.
  public init(parsing text: String) throws {
    var text = text
    self = try text.withUTF8 { bytes in
      guard bytes.count <= Self.parsingLimits.bytes else { throw ParseError(offset: 0, reason: "larger than 1 MiB") }
      var parser = JSONParser(bytes: bytes)
      let value = try parser.value(depth: 0)
      parser.skipWhitespace()
      guard parser.offset == bytes.count else { throw parser.error("text after the value") }
      return value
    }
  }

  /// Why text is not JSON, and where.
  public struct ParseError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The byte offset where reading stopped.
    public var offset: Int
    public var reason: String
    public var description: String { "not valid JSON at byte \(offset): \(reason)" }
  }
}

/// The reader behind ``JSONValue/init(parsing:)``: one pass over the bytes.
private struct JSONParser {
  let bytes: UnsafeBufferPointer<UInt8>
  var offset = 0

  init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

  func error(_ reason: String) -> JSONValue.ParseError { .init(offset: offset, reason: reason) }

  mutating func skipWhitespace() {
    while offset < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[offset]) { offset += 1 }
  }

  /// The next byte after white space, not consumed.
  mutating func peek() throws -> UInt8 {
    skipWhitespace()
    guard offset < bytes.count else { throw error("unexpected end") }
    return bytes[offset]
  }

  mutating func expect(_ literal: StaticString) throws {
    let count = literal.utf8CodeUnitCount
    guard offset + count <= bytes.count,
      (0..<count).allSatisfy({ bytes[offset + $0] == literal.utf8Start[$0] })
    else { throw error("expected \(literal)") }
    offset += count
  }

  mutating func value(depth: Int) throws -> JSONValue {
    guard depth < JSONValue.parsingLimits.depth else { throw error("nested more than 64 deep") }
    switch try peek() {
    case UInt8(ascii: "{"): return try object(depth: depth)
    case UInt8(ascii: "["): return try array(depth: depth)
    case UInt8(ascii: "\""): return .string(try string())
    case UInt8(ascii: "t"):
      try expect("true")
      return .bool(true)
    case UInt8(ascii: "f"):
      try expect("false")
      return .bool(false)
    case UInt8(ascii: "n"):
      try expect("null")
      return .null
    default: return try number()
    }
  }

  mutating func object(depth: Int) throws -> JSONValue {
    offset += 1
    var members: [String: JSONValue] = [:]
    if try peek() == UInt8(ascii: "}") {
      offset += 1
      return .object(members)
    }
    while true {
      guard try peek() == UInt8(ascii: "\"") else { throw error("expected a member name") }
      let name = try string()
      guard try peek() == UInt8(ascii: ":") else { throw error("expected ':'") }
      offset += 1
      members[name] = try value(depth: depth + 1)
      switch try peek() {
      case UInt8(ascii: ","): offset += 1
      case UInt8(ascii: "}"):
        offset += 1
        return .object(members)
      default: throw error("expected ',' or '}'")
      }
    }
  }

  mutating func array(depth: Int) throws -> JSONValue {
    offset += 1
    var elements: [JSONValue] = []
    if try peek() == UInt8(ascii: "]") {
      offset += 1
      return .array(elements)
    }
    while true {
      elements.append(try value(depth: depth + 1))
      switch try peek() {
      case UInt8(ascii: ","): offset += 1
      case UInt8(ascii: "]"):
        offset += 1
        return .array(elements)
      default: throw error("expected ',' or ']'")
      }
    }
  }

  mutating func string() throws -> String {
    offset += 1  // the opening quote
    let start = offset
    // Plain strings (no escapes) are taken as they are.
    while offset < bytes.count, bytes[offset] != UInt8(ascii: "\""), bytes[offset] != UInt8(ascii: "\\") {
      guard bytes[offset] >= 0x20 else { throw error("a control character in a string") }
      offset += 1
    }
    guard offset < bytes.count else { throw error("an unterminated string") }
    if bytes[offset] == UInt8(ascii: "\"") {
      offset += 1
      return try text(UnsafeBufferPointer(rebasing: bytes[start..<offset - 1]))
    }
    var scalars = Array(bytes[start..<offset])
    while offset < bytes.count {
      let byte = bytes[offset]
      offset += 1
      switch byte {
      case UInt8(ascii: "\""): return try text(scalars.withUnsafeBufferPointer { $0 })
      case UInt8(ascii: "\\"):
        guard offset < bytes.count else { throw error("an unterminated escape") }
        let escaped = bytes[offset]
        offset += 1
        switch escaped {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): scalars.append(escaped)
        case UInt8(ascii: "b"): scalars.append(0x08)
        case UInt8(ascii: "f"): scalars.append(0x0C)
        case UInt8(ascii: "n"): scalars.append(0x0A)
        case UInt8(ascii: "r"): scalars.append(0x0D)
        case UInt8(ascii: "t"): scalars.append(0x09)
        case UInt8(ascii: "u"): scalars += try unicodeEscape()
        default: throw error("an unknown escape")
        }
      case 0..<0x20: throw error("a control character in a string")
      default: scalars.append(byte)
      }
    }
    throw error("an unterminated string")
  }

  /// UTF-8 text, checked.
  func text(_ utf8: UnsafeBufferPointer<UInt8>) throws -> String {
    guard let text = String(validating: utf8, as: UTF8.self) else { throw error("text that is not UTF-8") }
    return text
  }

  /// Four hexadecimal digits.
  mutating func hex4() throws -> UInt32 {
    guard offset + 4 <= bytes.count else { throw error("a short \\u escape") }
    var value: UInt32 = 0
    for _ in 0..<4 {
      let byte = bytes[offset]
      let digit: UInt8
      switch byte {
      case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
      case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
      case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
      default: throw error("a bad \\u escape")
      }
      value = value << 4 | UInt32(digit)
      offset += 1
    }
    return value
  }

  /// The UTF-8 bytes of a `\uXXXX` escape (a surrogate pair takes two).
  mutating func unicodeEscape() throws -> [UInt8] {
    var code = try hex4()
    if (0xD800..<0xDC00).contains(code) {
      guard offset + 2 <= bytes.count, bytes[offset] == UInt8(ascii: "\\"), bytes[offset + 1] == UInt8(ascii: "u")
      else { throw error("a lone surrogate") }
      offset += 2
      let low = try hex4()
      guard (0xDC00..<0xE000).contains(low) else { throw error("a lone surrogate") }
      code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
    }
    guard let scalar = Unicode.Scalar(code) else { throw error("a lone surrogate") }
    return Array(String(Character(scalar)).utf8)
  }

  mutating func number() throws -> JSONValue {
    let start = offset
    var integral = true
    if offset < bytes.count, bytes[offset] == UInt8(ascii: "-") { offset += 1 }
    let digitsStart = offset
    while offset < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[offset]) { offset += 1 }
    let digits = offset - digitsStart
    guard digits > 0 else { throw error("expected a value") }
    guard digits == 1 || bytes[digitsStart] != UInt8(ascii: "0") else { throw error("a number with a leading zero") }
    if offset < bytes.count, bytes[offset] == UInt8(ascii: ".") {
      integral = false
      offset += 1
      let fraction = offset
      while offset < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[offset]) { offset += 1 }
      guard offset > fraction else { throw error("a number without digits after '.'") }
    }
    if offset < bytes.count, bytes[offset] == UInt8(ascii: "e") || bytes[offset] == UInt8(ascii: "E") {
      integral = false
      offset += 1
      if offset < bytes.count, bytes[offset] == UInt8(ascii: "+") || bytes[offset] == UInt8(ascii: "-") { offset += 1 }
      let exponent = offset
      while offset < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[offset]) { offset += 1 }
      guard offset > exponent else { throw error("a number without exponent digits") }
    }
    let literal = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<offset]), as: UTF8.self)
    if integral, let value = Int(literal) { return .integer(value) }
    guard let value = Double(literal), value.isFinite else { throw error("a number out of range") }
    return .number(value)
  }
}
