/// The checks every DNS name and record passes before it reaches the database: labels, lengths, types,
/// addresses, and the records a zone cannot hold (a CNAME at the apex or beside other data). Pure: no I/O.
public enum DNSRules {
  /// The TTL given when a request names none.
  public static let defaultTTL = 300
  /// The longest TTL accepted (one week).
  public static let maximumTTL = 604_800
  /// The longest TXT text accepted, in bytes.
  public static let maximumText = 4_000

  /// A zone name, lower case without the final dot; refused unless every label is a host label and the
  /// name has at least two labels (PVC serves no top-level domain).
  public static func zone(_ text: String) throws(DNSError) -> String {
    let name = try self.name(text, what: "zone name")
    guard name.contains(".") else {
      throw .invalid("'\(shown(text))' is not a zone name with at least two labels (such as example.org)")
    }
    guard !name.hasPrefix("*"), !name.contains("_") else {
      throw .invalid("'\(shown(text))' is not a zone name: no wildcard or underscore labels")
    }
    return name
  }

  /// A record's full name in `zone`: `@` or empty is the apex, a name ending in the zone (with or without the
  /// final dot) is taken as it is, any other is relative to the zone.
  public static func recordName(_ text: String, in zone: String) throws(DNSError) -> String {
    let trimmed = text.hasSuffix(".") ? String(text.dropLast()) : text
    if trimmed.isEmpty || trimmed == "@" { return zone }
    let lowered = trimmed.lowercased()
    let full = lowered == zone || lowered.hasSuffix("." + zone) ? lowered : lowered + "." + zone
    let name = try self.name(full, what: "record name")
    guard name == zone || name.hasSuffix("." + zone) else {
      throw .invalid("'\(shown(text))' is not inside zone \(zone)")
    }
    return name
  }

  /// A domain name: labels of letters, digits, hyphens and underscores (not starting or ending with a
  /// hyphen), 1 to 63 bytes each, 253 in all; a leading `*` label for wildcards. Lower case, without the
  /// final dot.
  public static func name(_ text: String, what: String = "name") throws(DNSError) -> String {
    let trimmed = text.hasSuffix(".") ? String(text.dropLast()) : text
    guard !trimmed.isEmpty, trimmed.utf8.count <= 253 else {
      throw .invalid("'\(shown(text))' is not a \(what): 1 to 253 characters")
    }
    let labels = trimmed.split(separator: ".", omittingEmptySubsequences: false)
    for (index, label) in labels.enumerated() {
      if label == "*" && index == 0 && labels.count > 1 { continue }
      guard (1...63).contains(label.utf8.count) else {
        throw .invalid("'\(shown(text))' is not a \(what): every label has 1 to 63 characters")
      }
      guard
        label.utf8.allSatisfy({ byte in
          (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
            || byte == 0x2D || byte == 0x5F
        }), label.first != "-", label.last != "-"
      else {
        throw .invalid(
          "'\(shown(text))' is not a \(what): labels hold letters, digits, '-' and '_' and do not start or end with '-'"
        )
      }
    }
    return trimmed.lowercased()
  }

  /// A record ready for the database: name made full, content checked and put in PowerDNS's form, TTL and
  /// priority in range.
  public static func record(_ request: DNSRecordRequest, in zone: String) throws(DNSError) -> DNSRecord {
    guard request.type != .soa else {
      throw .invalid("SOA records are kept by PVC: change the zone instead")
    }
    let name = try recordName(request.name, in: zone)
    let ttl = request.ttl ?? defaultTTL
    guard (0...maximumTTL).contains(ttl) else { throw .invalid("TTL \(ttl) is not within 0 to \(maximumTTL) seconds") }
    var priority: Int?
    if request.type == .mx || request.type == .srv {
      let value = request.priority ?? 10
      guard (0...65535).contains(value) else { throw .invalid("priority \(value) is not within 0 to 65535") }
      priority = value
    } else if request.priority != nil {
      throw .invalid("only MX and SRV records have a priority")
    }
    let content = try self.content(request.content, type: request.type)
    if request.type == .cname && name == zone {
      throw .invalid("a CNAME cannot be at the zone's apex (\(zone)): it would hide the SOA and NS records")
    }
    return DNSRecord(
      id: 0, zone: zone, name: name, type: request.type, content: content, ttl: ttl, priority: priority,
      source: .user)
  }

  /// A record's content in PowerDNS's form.
  public static func content(_ text: String, type: DNSRecordType) throws(DNSError) -> String {
    switch type {
    case .a:
      guard let address = IPAddress(text), address.isV4 else {
        throw .invalid("'\(shown(text))' is not an IPv4 address (such as 10.0.0.1)")
      }
      return address.description
    case .aaaa:
      guard let address = IPAddress(text), !address.isV4 else {
        throw .invalid("'\(shown(text))' is not an IPv6 address (such as fd00::1)")
      }
      return address.description
    case .cname, .ptr, .ns, .mx:
      return try name(text, what: "\(type.rawValue) target")
    case .srv:
      let parts = text.split(separator: " ", omittingEmptySubsequences: true)
      guard parts.count == 3, let weight = Int(parts[0]), let port = Int(parts[1]), (0...65535).contains(weight),
        (0...65535).contains(port)
      else {
        throw .invalid("'\(shown(text))' is not SRV data: 'weight port target' (such as '5 5060 sip.example.org')")
      }
      return "\(weight) \(port) \(try name(String(parts[2]), what: "SRV target"))"
    case .txt:
      return try quoted(text)
    case .soa:
      throw .invalid("SOA records are kept by PVC")
    }
  }

  /// TXT text as PowerDNS stores it: printable ASCII, quoted, `"` and `\` escaped, split in strings of at
  /// most 255 bytes.
  static func quoted(_ text: String) throws(DNSError) -> String {
    guard !text.isEmpty, text.utf8.count <= maximumText else {
      throw .invalid("TXT text must have 1 to \(maximumText) characters")
    }
    guard text.utf8.allSatisfy({ (0x20...0x7E).contains($0) }) else {
      throw .invalid("TXT text must be printable ASCII (no control characters or other scripts)")
    }
    let bytes = Array(text.utf8)
    var strings: [String] = []
    var index = 0
    while index < bytes.count {
      let end = min(bytes.count, index + 255)
      let chunk = String(decoding: bytes[index..<end], as: UTF8.self)
      strings.append(
        "\"" + chunk.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\"")
      index = end
    }
    return strings.joined(separator: " ")
  }

  /// Refuses a record that cannot live beside the zone's others: a CNAME shares its name with nothing, and
  /// nothing is added beside a CNAME; an exact duplicate is refused too.
  public static func check(_ record: DNSRecord, among others: [DNSRecord]) throws(DNSError) {
    // A new record (number 0) meets every other; a change does not meet its own row.
    let same = others.filter { $0.name == record.name && (record.id == 0 || $0.id != record.id) }
    if record.type == .cname, let other = same.first {
      throw .conflict("\(record.name) has a \(other.type.rawValue) record already: a CNAME must be alone at its name")
    }
    if record.type != .cname, same.contains(where: { $0.type == .cname }) {
      throw .conflict("\(record.name) is a CNAME: no other record may share its name")
    }
    if same.contains(where: { $0.type == record.type && $0.content == record.content }) {
      throw .conflict("\(record.name) has this \(record.type.rawValue) record already")
    }
  }

  /// The reverse zone holding a network's IPv4 addresses: the enclosing octet boundary (`10.100.0.0/24` →
  /// `0.100.10.in-addr.arpa`, `/20` → `100.10.in-addr.arpa`); `nil` for a prefix under 8.
  public static func reverseZone(for network: IPNetwork) -> String? {
    guard network.isV4, network.prefixLength >= 8 else { return nil }
    let octets = network.prefixLength / 8
    return network.address.bytes.prefix(octets).reversed().map(String.init).joined(separator: ".") + ".in-addr.arpa"
  }

  /// The PTR name of an IPv4 address (`10.100.0.5` → `5.0.100.10.in-addr.arpa`).
  public static func reverseName(of address: IPAddress) -> String? {
    guard address.isV4 else { return nil }
    return address.bytes.reversed().map(String.init).joined(separator: ".") + ".in-addr.arpa"
  }

  static func shown(_ text: String) -> String { ValueKind.shown(text) }
}
