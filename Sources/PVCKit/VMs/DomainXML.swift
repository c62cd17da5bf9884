import Foundation
import FoundationXML

/// A libvirt domain definition, checked and summarised.
///
/// Parsing refuses what a VM definition never needs and could be abused:
/// DOCTYPE and entity declarations (no external entities are ever fetched),
/// documents over 1 MiB, roots other than `<domain>`, documents that are not
/// well-formed, and missing or invalid names, UUIDs, sizes and counts.
///
/// The summary is read in one streaming pass (``DomainSummaryParser``), which
/// is also the well-formedness check: a definition read from the cluster goes
/// through exactly the checks of a new one, and a document tree
/// (`XMLDocument`, for edits) is only ever built from text that passed them.
public struct DomainXML: Sendable, Hashable {
  /// The definition's text.
  public let text: String
  /// What the definition says.
  public let summary: DomainSummary

  /// The largest definition accepted, in bytes.
  public static let maximumSize = 1 << 20

  /// Parses and checks a definition.
  /// - Throws: ``VMError/invalidXML(_:)`` saying what is wrong.
  public init(_ text: String) throws {
    self.text = text
    summary = try DomainSummaryParser.summary(of: text)
  }

  /// Parses a definition already stored in the cluster (the same checks as a new one).
  init(stored text: String) throws {
    try self.init(text)
  }

  /// Whether the text has a `<!` other than a comment or CDATA section (DOCTYPE, ENTITY...).
  static func hasDeclarations(_ text: String) -> Bool {
    var text = text
    return text.withUTF8 { bytes in
      let comment = Array("--".utf8)
      let cdata = Array("[CDATA[".utf8)
      var index = 0
      while index + 1 < bytes.count {
        if bytes[index] == UInt8(ascii: "<") && bytes[index + 1] == UInt8(ascii: "!") {
          let rest = bytes[(index + 2)...].prefix(7)
          if !rest.starts(with: comment) && !rest.starts(with: cdata) { return true }
        }
        index += 1
      }
      return false
    }
  }

  /// Applies `change` to the definition's `<domain>` element and returns the new text.
  /// - Throws: ``VMError/invalidXML(_:)`` if the definition or the result does not parse.
  static func edited(_ text: String, _ change: (XMLElement) throws -> Void) throws -> DomainXML {
    _ = try DomainXML(text)  // only checked text reaches the document parser
    let document: XMLDocument
    do {
      document = try XMLDocument(xmlString: text, options: [.nodePreserveWhitespace])
    } catch {
      throw VMError.invalidXML("not well-formed XML (\((error as NSError).localizedDescription))")
    }
    guard let root = document.rootElement(), root.name == "domain" else {
      throw VMError.invalidXML("the root element must be <domain>")
    }
    try change(root)
    return try DomainXML(root.rootDocument?.xmlString(options: []) ?? root.xmlString)
  }
}

/// What a domain definition says, for listings, checks and edits.
public struct DomainSummary: Sendable, Hashable {
  public var name: String
  public var uuid: String
  public var description: String?
  /// Memory in MiB (converted from the element's unit; libvirt's default unit is KiB).
  public var memoryMiB: Int
  public var vcpus: Int
  /// `sockets/cores/threads`, when the definition has a topology.
  public var topology: (sockets: Int, cores: Int, threads: Int)?
  public var osType: String
  public var arch: String
  public var machine: String
  public var emulator: String
  public var consoleType: String
  public var features: [String]
  public var interfaces: [Interface]
  public var disks: [Disk]
  public var controllers: [Controller]
  public var graphics: Graphics?
  /// What in the definition reaches the host rather than the cluster's resources
  /// (see ``DomainPolicy``), for people; empty for an ordinary VM.
  public var hostAccess: [String] = []

  /// A network interface.
  public struct Interface: Sendable, Hashable {
    /// `bridge`, `direct`, `hostdev`, `network`...
    public var type: String
    public var mac: String
    /// The bridge, device or network the interface attaches to.
    public var source: String
    public var model: String
    /// The host-side device (`vnet3`), when libvirt filled it in.
    public var targetDevice: String

    /// Upstream's network id: the VNI of `vmbr<vni>`, `cluster`/`storage`/`upstream`
    /// for `br<name>`, `macvtap:<dev>` or `hostdev:<dev>`.
    public var vni: String {
      switch type {
      case "direct": return "macvtap:" + source
      case "hostdev": return "hostdev:" + source
      default:
        var name = Substring(source)
        while let first = name.first, first == "v" || first == "m" { name = name.dropFirst() }
        guard name.hasPrefix("br") else { return source }
        let rest = name.dropFirst(2).prefix { $0.isASCII && ($0.isLowercase || $0.isNumber) }
        return rest.isEmpty ? source : String(rest)
      }
    }
  }

  /// A disk.
  public struct Disk: Sendable, Hashable {
    /// `rbd` (the network protocol), `file`, `block`...
    public var type: String
    /// The volume (`pool/volume`), file or device.
    public var name: String
    public var dev: String
    public var bus: String
  }

  /// A controller.
  public struct Controller: Sendable, Hashable {
    public var type: String
    public var model: String?
  }

  /// The VNC (or other) graphics listener.
  public struct Graphics: Sendable, Hashable {
    public var type: String
    public var listen: String
    public var port: String
  }

  public static func == (lhs: DomainSummary, rhs: DomainSummary) -> Bool {
    lhs.name == rhs.name && lhs.uuid == rhs.uuid && lhs.memoryMiB == rhs.memoryMiB && lhs.vcpus == rhs.vcpus
      && lhs.interfaces == rhs.interfaces && lhs.disks == rhs.disks && lhs.description == rhs.description
  }

  public func hash(into hasher: inout Hasher) {
    hasher.combine(uuid)
    hasher.combine(name)
  }

  /// The most memory a definition may give a VM: 16 TiB, in MiB.
  public static let maximumMemoryMiB = 16 * 1_048_576
  /// The most vCPUs (and sockets, cores or threads) a definition may give a VM.
  public static let maximumVCPUs = 1024

  /// The value of a `<memory>`-like element in MiB, honouring its unit; `nil`
  /// when it is not a finite, non-negative size that fits.
  static func mebibytes(_ text: String, unit: String?) -> Int? {
    guard let value = Double(text), value.isFinite, value >= 0 else { return nil }
    let factor: Double =
      switch (unit ?? "KiB").lowercased() {
      case "b", "bytes": 1.0 / 1_048_576
      case "kb": 1000.0 / 1_048_576
      case "k", "kib": 1.0 / 1024
      case "mb": 1_000_000.0 / 1_048_576
      case "m", "mib": 1
      case "gb": 1_000_000_000.0 / 1_048_576
      case "g", "gib": 1024
      case "tb": 1_000_000_000_000.0 / 1_048_576
      case "t", "tib": 1_048_576
      default: 0
      }
    guard factor > 0 else { return nil }
    return Int(checkedTruncating: (value * factor).rounded(.down))
  }
}

extension XMLElement {
  /// The first child element named `name`.
  func child(_ name: String) -> XMLElement? { elements(forName: name).first }

  /// Every child element named `name`.
  func children(named name: String) -> [XMLElement] { elements(forName: name) }

  /// The child elements, in order.
  var childElements: [XMLElement] { (children ?? []).compactMap { $0 as? XMLElement } }

  /// The text, without surrounding white space; `nil` if empty.
  var trimmedText: String? {
    let text = stringValue?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
    return text.isEmpty ? nil : text
  }

  func attribute(_ name: String) -> String? { attribute(forName: name)?.stringValue }

  func intAttribute(_ name: String) -> Int? { attribute(name).flatMap { Int($0) } }

  func setAttribute(_ name: String, _ value: String) {
    if let existing = attribute(forName: name) {
      existing.stringValue = value
    } else {
      addAttribute(XMLNode.attribute(withName: name, stringValue: value) as! XMLNode)
    }
  }
}
