import Foundation
import FoundationXML

/// Reads a domain definition's summary in one streaming pass, which is also
/// the strict well-formedness check: no document tree is built, and a document
/// that is not well-formed (or ends early) is refused, never "recovered".
///
/// Like libvirt, it reads the first of each element where one is expected
/// (the first `<devices>`, the first `<source>` of an interface...).
final class DomainSummaryParser: NSObject, XMLParserDelegate {
  /// Parses `text` into a summary.
  /// - Throws: ``VMError/invalidXML(_:)`` saying what is wrong.
  static func summary(of text: String) throws -> DomainSummary {
    guard text.utf8.count <= DomainXML.maximumSize else {
      throw VMError.invalidXML("the definition is larger than 1 MiB")
    }
    guard !DomainXML.hasDeclarations(text) else {
      throw VMError.invalidXML("DOCTYPE and ENTITY declarations are not allowed")
    }
    let parser = XMLParser(data: Data(text.utf8))
    parser.shouldResolveExternalEntities = false
    let reader = DomainSummaryParser()
    parser.delegate = reader
    guard parser.parse(), reader.opened > 0, reader.path.isEmpty else {
      let reason = parser.parserError.map { ($0 as NSError).localizedDescription } ?? "the document is incomplete"
      throw VMError.invalidXML("not well-formed XML (line \(parser.lineNumber): \(reason))")
    }
    return try reader.summary()
  }

  // MARK: Reading state

  /// The names of the open elements, outermost first.
  private(set) var path: [String] = []
  private(set) var opened = 0
  private var rootName: String?
  /// Text of the element being captured (and its descendants), and its depth.
  private var capture: (depth: Int, text: String)?
  private var texts: [String: String] = [:]
  private var attributes: [String: [String: String]] = [:]
  /// How many of some elements were seen (only the first counts).
  private var seen: [String: Int] = [:]
  /// How many of each child of the root were seen.
  private var topLevel: [String: Int] = [:]
  private var features: [String] = []
  private var interfaces: [DomainSummary.Interface] = []
  private var disks: [DomainSummary.Disk] = []
  private var controllers: [DomainSummary.Controller] = []
  private var graphics: DomainSummary.Graphics?
  private var consoleType: String?
  /// The device being read (an interface or a disk) and the first of its children.
  private var device: (name: String, attributes: [String: String], children: [String: [String: String]])?
  private var sriovDevice: String?
  private var hostAccess = HostAccessScan()

  /// Elements whose text is kept, by their path below the root.
  private static let textPaths: Set<String> = [
    "name", "uuid", "description", "memory", "vcpu", "os/type", "devices/emulator", "devices/interface/sriov_device",
  ]

  /// Counts `key` and says whether this is its first occurrence.
  private func first(_ key: String) -> Bool {
    seen[key, default: 0] += 1
    return seen[key] == 1
  }

  func parser(
    _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName: String?,
    attributes: [String: String] = [:]
  ) {
    opened += 1
    if path.isEmpty && rootName == nil { rootName = elementName }
    path.append(elementName)
    let depth = path.count
    // Every element counts for host access, wherever it is (not only the first <devices>).
    if rootName == "domain" { hostAccess.start(elementName, path: path, attributes: attributes) }
    guard depth >= 2, rootName == "domain", path.count < 64 else { return }
    let inner = path.dropFirst().joined(separator: "/")
    // Only the first <os>, <cpu>, <features>, <devices>... of the domain count.
    if depth == 2 { topLevel[elementName, default: 0] += 1 }
    guard topLevel[path[1]] == 1 else { return }
    if Self.textPaths.contains(inner), capture == nil, first(inner) { capture = (depth, "") }
    switch inner {
    case "memory", "os/type", "cpu/topology", "devices/graphics", "devices/console":
      if first("@" + inner) { self.attributes[inner] = attributes }
    default: break
    }
    if depth == 3 && path[1] == "features" { features.append(elementName) }
    if depth == 3 && path[1] == "devices" {
      switch elementName {
      case "interface", "disk":
        device = (elementName, attributes, [:])
        sriovDevice = nil
        seen["devices/interface/sriov_device"] = nil
      case "controller":
        controllers.append(.init(type: attributes["type"] ?? "", model: attributes["model"]))
      default: break
      }
    }
    if depth == 4, path[1] == "devices", device != nil, device?.children[elementName] == nil {
      device?.children[elementName] = attributes
    }
  }

  func parser(_ parser: XMLParser, foundCharacters string: String) {
    capture?.text += string
    hostAccess.text(string)
  }

  func parser(_ parser: XMLParser, foundCDATA block: Data) {
    let string = String(decoding: block, as: UTF8.self)
    capture?.text += string
    hostAccess.text(string)
  }

  func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName: String?) {
    defer { path.removeLast() }
    let depth = path.count
    hostAccess.end(elementName, depth: depth)
    if let captured = capture, captured.depth == depth {
      let inner = path.dropFirst().joined(separator: "/")
      if inner == "devices/interface/sriov_device" { sriovDevice = captured.text } else { texts[inner] = captured.text }
      capture = nil
    }
    guard depth == 3, path[1] == "devices", let device, topLevel["devices"] == 1 else { return }
    switch device.name {
    case "interface": interfaces.append(Self.interface(device.attributes, device.children, sriovDevice: sriovDevice))
    case "disk": disks.append(Self.disk(device.attributes, device.children))
    default: break
    }
    self.device = nil
  }

  private static func interface(
    _ attributes: [String: String], _ children: [String: [String: String]], sriovDevice: String?
  ) -> DomainSummary.Interface {
    let type = attributes["type"] ?? ""
    let source = children["source"]
    let sourceName: String =
      switch type {
      case "bridge": source?["bridge"] ?? ""
      case "direct": source?["dev"] ?? ""
      case "network": source?["network"] ?? ""
      case "hostdev": trimmed(sriovDevice) ?? ""
      default: source?[type] ?? ""
      }
    return DomainSummary.Interface(
      type: type, mac: children["mac"]?["address"] ?? "", source: sourceName, model: children["model"]?["type"] ?? "",
      targetDevice: children["target"]?["dev"] ?? "")
  }

  private static func disk(_ attributes: [String: String], _ children: [String: [String: String]]) -> DomainSummary.Disk
  {
    let type = attributes["type"] ?? ""
    let source = children["source"]
    let target = children["target"]
    return DomainSummary.Disk(
      type: type == "network" ? (source?["protocol"] ?? "network") : type,
      name: source?["name"] ?? source?["file"] ?? source?["dev"] ?? "", dev: target?["dev"] ?? "",
      bus: target?["bus"] ?? "")
  }

  /// Text without surrounding white space; `nil` if empty.
  private static func trimmed(_ text: String?) -> String? {
    let value = text?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
    return value.isEmpty ? nil : value
  }

  // MARK: The summary

  private func summary() throws -> DomainSummary {
    guard rootName == "domain" else { throw VMError.invalidXML("the root element must be <domain>") }
    guard let name = Self.trimmed(texts["name"]) else { throw VMError.invalidXML("the definition has no <name>") }
    try VMName.check(name)
    guard let uuidText = Self.trimmed(texts["uuid"]) else { throw VMError.invalidXML("the definition has no <uuid>") }
    guard let uuid = VMName.canonicalUUID(uuidText) else {
      throw VMError.invalidXML("'\(ValueKind.shown(uuidText))' is not a valid UUID")
    }
    guard let memoryText = Self.trimmed(texts["memory"]),
      let memory = DomainSummary.mebibytes(memoryText, unit: attributes["memory"]?["unit"]),
      (0...DomainSummary.maximumMemoryMiB).contains(memory)
    else {
      throw VMError.invalidXML("the definition has no valid <memory> (a size from 0 to 16 TiB)")
    }
    let maximum = DomainSummary.maximumVCPUs
    guard let vcpuText = Self.trimmed(texts["vcpu"]), let vcpus = Int(vcpuText), (1...maximum).contains(vcpus) else {
      throw VMError.invalidXML("the definition has no valid <vcpu> (1 to \(maximum))")
    }
    var topology: (sockets: Int, cores: Int, threads: Int)?
    if let shape = attributes["cpu/topology"], let sockets = shape["sockets"].flatMap({ Int($0) }) {
      let counts = (sockets, shape["cores"].flatMap { Int($0) } ?? 1, shape["threads"].flatMap { Int($0) } ?? 1)
      guard [counts.0, counts.1, counts.2].allSatisfy({ (1...maximum).contains($0) }) else {
        throw VMError.invalidXML("the <topology> counts must be 1 to \(maximum)")
      }
      topology = counts
    }
    let os = attributes["os/type"]
    let graphics = attributes["devices/graphics"].map {
      DomainSummary.Graphics(type: $0["type"] ?? "", listen: $0["listen"] ?? "", port: $0["port"] ?? "")
    }
    return DomainSummary(
      name: name, uuid: uuid, description: texts["description"], memoryMiB: memory, vcpus: vcpus, topology: topology,
      osType: Self.trimmed(texts["os/type"]) ?? "", arch: os?["arch"] ?? "", machine: os?["machine"] ?? "",
      emulator: Self.trimmed(texts["devices/emulator"]) ?? "",
      consoleType: attributes["devices/console"]?["type"] ?? "", features: features, interfaces: interfaces,
      disks: disks, controllers: controllers, graphics: graphics, hostAccess: hostAccess.findings)
  }
}
