import Foundation
import FoundationXML

/// A libvirt domain definition, checked and summarised.
///
/// Parsing refuses what a VM definition never needs and could be abused:
/// DOCTYPE and entity declarations (no external entities are ever fetched),
/// documents over 1 MiB, roots other than `<domain>`, and missing or invalid
/// names and UUIDs.
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
    summary = try Self.withDocument(text) { try DomainSummary($0) }
  }

  /// Parses a definition already stored in the cluster, for display: the strict
  /// well-formedness pass that guards new definitions is skipped.
  init(stored text: String) throws {
    self.text = text
    summary = try Self.withDocument(text, strict: false) { try DomainSummary($0) }
  }

  /// Parses `text` and runs `body` on the document's root `<domain>` element.
  static func withDocument<T>(_ text: String, strict: Bool = true, _ body: (XMLElement) throws -> T) throws -> T {
    guard text.utf8.count <= maximumSize else { throw VMError.invalidXML("the definition is larger than 1 MiB") }
    guard !Self.hasDeclarations(text) else {
      throw VMError.invalidXML("DOCTYPE and ENTITY declarations are not allowed")
    }
    // XMLDocument recovers from some errors (an unclosed root, for one): a
    // strict parse first refuses anything that is not well-formed.
    let parser = XMLParser(data: Data(text.utf8))
    parser.shouldResolveExternalEntities = false
    let balance = ElementBalance()
    parser.delegate = balance
    guard !strict || (parser.parse() && balance.opened > 0 && balance.depth == 0) else {
      let strict = parser
      let line = strict.lineNumber
      let reason = strict.parserError.map { ($0 as NSError).localizedDescription } ?? "the document is incomplete"
      throw VMError.invalidXML("not well-formed XML (line \(line): \(reason))")
    }
    let document: XMLDocument
    do {
      document = try XMLDocument(xmlString: text, options: [.nodePreserveWhitespace])
    } catch {
      throw VMError.invalidXML("not well-formed XML (\((error as NSError).localizedDescription))")
    }
    guard let root = document.rootElement(), root.name == "domain" else {
      throw VMError.invalidXML("the root element must be <domain>")
    }
    return try body(root)
  }

  /// Whether the text has a `<!` other than a comment or CDATA section (DOCTYPE, ENTITY...).
  static func hasDeclarations(_ text: String) -> Bool {
    let bytes = Array(text.utf8)
    var index = 0
    while index + 1 < bytes.count {
      if bytes[index] == UInt8(ascii: "<") && bytes[index + 1] == UInt8(ascii: "!") {
        let rest = bytes[(index + 2)...].prefix(7)
        if !rest.starts(with: Array("--".utf8)) && !rest.starts(with: Array("[CDATA[".utf8)) { return true }
      }
      index += 1
    }
    return false
  }

  /// Applies `change` to the definition's `<domain>` element and returns the new text.
  /// - Throws: ``VMError/invalidXML(_:)`` if the result no longer parses.
  static func edited(_ text: String, _ change: (XMLElement) throws -> Void) throws -> DomainXML {
    let result = try withDocument(text) { root -> String in
      try change(root)
      return root.rootDocument?.xmlString(options: []) ?? root.xmlString
    }
    return try DomainXML(result)
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

  init(_ root: XMLElement) throws {
    guard let name = root.child("name")?.trimmedText, !name.isEmpty else {
      throw VMError.invalidXML("the definition has no <name>")
    }
    try VMName.check(name)
    guard let uuidText = root.child("uuid")?.trimmedText else {
      throw VMError.invalidXML("the definition has no <uuid>")
    }
    guard let uuid = VMName.canonicalUUID(uuidText) else {
      throw VMError.invalidXML("'\(uuidText)' is not a valid UUID")
    }
    guard let memoryElement = root.child("memory"), let memory = Self.mebibytes(memoryElement) else {
      throw VMError.invalidXML("the definition has no valid <memory>")
    }
    guard let vcpuText = root.child("vcpu")?.trimmedText, let vcpus = Int(vcpuText), vcpus > 0 else {
      throw VMError.invalidXML("the definition has no valid <vcpu>")
    }
    self.name = name
    self.uuid = uuid
    description = root.child("description")?.stringValue
    memoryMiB = memory
    self.vcpus = vcpus
    if let topology = root.child("cpu")?.child("topology"), let sockets = topology.intAttribute("sockets") {
      self.topology = (sockets, topology.intAttribute("cores") ?? 1, topology.intAttribute("threads") ?? 1)
    } else {
      topology = nil
    }
    let os = root.child("os")?.child("type")
    osType = os?.trimmedText ?? ""
    arch = os?.attribute("arch") ?? ""
    machine = os?.attribute("machine") ?? ""
    let devices = root.child("devices")
    emulator = devices?.child("emulator")?.trimmedText ?? ""
    consoleType = devices?.child("console")?.attribute("type") ?? ""
    features = root.child("features")?.childElements.compactMap(\.name) ?? []
    interfaces = (devices?.children(named: "interface") ?? []).map { element in
      let type = element.attribute("type") ?? ""
      let source = element.child("source")
      let sourceName: String =
        switch type {
        case "bridge": source?.attribute("bridge") ?? ""
        case "direct": source?.attribute("dev") ?? ""
        case "network": source?.attribute("network") ?? ""
        case "hostdev": element.child("sriov_device")?.trimmedText ?? ""
        default: source?.attribute(type) ?? ""
        }
      return Interface(
        type: type, mac: element.child("mac")?.attribute("address") ?? "", source: sourceName,
        model: element.child("model")?.attribute("type") ?? "",
        targetDevice: element.child("target")?.attribute("dev") ?? "")
    }
    disks = (devices?.children(named: "disk") ?? []).map { element in
      let type = element.attribute("type") ?? ""
      let source = element.child("source")
      let target = element.child("target")
      return Disk(
        type: type == "network" ? (source?.attribute("protocol") ?? "network") : type,
        name: source?.attribute("name") ?? source?.attribute("file") ?? source?.attribute("dev") ?? "",
        dev: target?.attribute("dev") ?? "", bus: target?.attribute("bus") ?? "")
    }
    controllers = (devices?.children(named: "controller") ?? []).map {
      Controller(type: $0.attribute("type") ?? "", model: $0.attribute("model"))
    }
    graphics = devices?.child("graphics").map {
      Graphics(type: $0.attribute("type") ?? "", listen: $0.attribute("listen") ?? "", port: $0.attribute("port") ?? "")
    }
  }

  /// The value of a `<memory>`-like element in MiB, honouring its unit.
  static func mebibytes(_ element: XMLElement) -> Int? {
    guard let text = element.trimmedText, let value = Double(text), value >= 0 else { return nil }
    let factor: Double =
      switch (element.attribute("unit") ?? "KiB").lowercased() {
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
    return Int((value * factor).rounded(.down))
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

/// Counts elements opened and closed during a parse, to catch documents that
/// end before their elements do.
private final class ElementBalance: NSObject, XMLParserDelegate {
  var opened = 0
  var depth = 0

  func parser(
    _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName: String?,
    attributes: [String: String] = [:]
  ) {
    opened += 1
    depth += 1
  }

  func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName: String?) {
    depth -= 1
  }
}
