import CXML2
import Foundation

/// Reads a domain definition's summary in one streaming pass of libxml2's
/// reader, the parser libvirt itself reads definitions with (so what PVCKit
/// checks is what libvirt will see). The pass is also the strict
/// well-formedness check: no document tree is built, nothing is "recovered",
/// no entity is substituted and nothing is fetched.
///
/// Like libvirt, it reads the first of each element where one is expected
/// (the first `<devices>`, the first `<source>` of an interface...).
final class DomainSummaryParser {
  /// Parses `text` into a summary.
  /// - Throws: ``VMError/invalidXML(_:)`` saying what is wrong.
  static func summary(of text: String) throws -> DomainSummary {
    guard text.utf8.count <= DomainXML.maximumSize else {
      throw VMError.invalidXML("the definition is larger than 1 MiB")
    }
    guard !DomainXML.hasDeclarations(text) else {
      throw VMError.invalidXML("DOCTYPE and ENTITY declarations are not allowed")
    }
    let reader = DomainSummaryParser()
    try reader.read(text)
    guard reader.opened > 0, reader.path.isEmpty else {
      throw VMError.invalidXML("not well-formed XML (the document is incomplete)")
    }
    return try reader.summary()
  }

  /// Checks that `text` is well-formed, as strictly as a definition (a device given on its own).
  /// - Throws: ``VMError/invalidXML(_:)`` saying what is wrong.
  static func checkWellFormed(_ text: String) throws {
    let reader = DomainSummaryParser()
    try reader.read(text)
    guard reader.opened > 0, reader.path.isEmpty else {
      throw VMError.invalidXML("not well-formed XML (the document is incomplete)")
    }
  }

  /// libxml2 set up once for every thread.
  private static let initialized: Void = {
    xmlInitParser()
    pvc_xml_quiet()
  }()

  /// Feeds the document's nodes to the element, text and end handlers.
  private func read(_ text: String) throws {
    Self.initialized
    var text = text
    if text.isEmpty { throw VMError.invalidXML("not well-formed XML (the document is empty)") }
    // libxml2 reads from the buffer while the reader lives: everything happens inside this closure.
    try text.withUTF8 { buffer in
      try buffer.withMemoryRebound(to: CChar.self) { characters in
        guard
          let reader = xmlReaderForMemory(
            characters.baseAddress, Int32(clamping: characters.count), nil, "UTF-8", pvc_xml_strict_options())
        else { throw VMError.invalidXML("not well-formed XML (it cannot be read)") }
        defer { xmlFreeTextReader(reader) }
        var error = pvc_xml_error()
        try withUnsafeMutablePointer(to: &error) { error in
          pvc_xml_collect_errors(reader, error)
          try read(reader, error: error)
        }
      }
    }
  }

  /// Reads the nodes of an open reader; its errors are collected in `error`.
  private func read(_ reader: pvc_xml_reader, error: UnsafeMutablePointer<pvc_xml_error>) throws {
    while true {
      let status = xmlTextReaderRead(reader)
      if status == 0 { return }
      guard status == 1 else {
        let line = xmlTextReaderGetParserLineNumber(reader)
        let reason = withUnsafeBytes(of: error.pointee.message) { raw in
          String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }.trimmingXMLWhitespace
        throw VMError.invalidXML("not well-formed XML (line \(line): \(reason.isEmpty ? "a syntax error" : reason))")
      }
      switch xmlTextReaderNodeType(reader) {
      case 1:  // element
        let name = Self.string(xmlTextReaderConstName(reader))
        let element = DomainElement(named: name)
        let empty = xmlTextReaderIsEmptyElement(reader) == 1
        // Attributes are read only for the elements whose attributes count.
        var attributes = DomainAttributes()
        if element.hasReadAttributes {
          while xmlTextReaderMoveToNextAttribute(reader) == 1 {
            attributes.append(Self.string(xmlTextReaderConstName(reader)), Self.string(xmlTextReaderConstValue(reader)))
          }
        }
        start(element, name: name, attributes: attributes)
        if empty { end() }
      case 15:  // end of element
        end()
      case 3, 4, 13, 14:  // text, CDATA, white space
        // Text is kept only inside the few elements read for it.
        if capture != nil || hostAccess.isReading { characters(Self.string(xmlTextReaderConstValue(reader))) }
      case 10:  // a document type (refused before; here in case)
        throw VMError.invalidXML("DOCTYPE and ENTITY declarations are not allowed")
      default:
        continue  // comments, processing instructions
      }
    }
  }

  private static func string(_ pointer: UnsafePointer<UInt8>?) -> String {
    pointer.map { String(cString: $0) } ?? ""
  }

  // MARK: Reading state

  /// The open elements, outermost first.
  private(set) var path: [DomainElement] = []
  private(set) var opened = 0
  private var rootName: String?
  /// Whether the open child of the root is the first of its name (only the
  /// first `<os>`, `<cpu>`, `<features>`, `<devices>`... count, as in libvirt).
  private var inFirstOfName = false
  /// Text of the element being captured (and its descendants), and its depth.
  private var capture: (depth: Int, text: String)?
  private var texts: [String: String] = [:]
  private var attributes: [String: DomainAttributes] = [:]
  /// How many of some elements were seen (only the first counts).
  private var seen: [String: Int] = [:]
  /// How many of each child of the root were seen.
  private var topLevel: [String: Int] = [:]
  private var features: [String] = []
  private var interfaces: [DomainSummary.Interface] = []
  private var disks: [DomainSummary.Disk] = []
  private var controllers: [DomainSummary.Controller] = []
  /// The device being read (an interface or a disk) and the first of its children.
  private var device:
    (element: DomainElement, attributes: DomainAttributes, children: [DomainElement: DomainAttributes])?
  private var sriovDevice: String?
  private var hostAccess = HostAccessScan()

  /// Elements whose text is kept, by their path below the root.
  private static let textPaths: Set<String> = [
    "name", "uuid", "description", "memory", "vcpu", "os/type", "devices/emulator", "devices/interface/sriov_device",
  ]
  /// Elements whose attributes are kept, by their path below the root.
  private static let attributePaths: Set<String> = [
    "memory", "os/type", "cpu/topology", "devices/graphics", "devices/console",
  ]

  /// The open element's path below the root (`os/type`) when it is one the
  /// summary keeps the text or attributes of; `nil` for the others.
  private func keptPath(depth: Int) -> String? {
    switch depth {
    case 2:
      switch path[1] {
      case .name, .uuid, .description, .memory, .vcpu: path[1].rawValue
      default: nil
      }
    case 3:
      switch (path[1], path[2]) {
      case (.os, .type), (.cpu, .topology), (.devices, .emulator), (.devices, .graphics), (.devices, .console):
        path[1].rawValue + "/" + path[2].rawValue
      default: nil
      }
    case 4 where path[1] == .devices && path[2] == .interface && path[3] == .sriovDevice:
      "devices/interface/sriov_device"
    default: nil
    }
  }

  /// Counts `key` and says whether this is its first occurrence.
  private func first(_ key: String) -> Bool {
    seen[key, default: 0] += 1
    return seen[key] == 1
  }

  private func start(_ element: DomainElement, name: String, attributes: DomainAttributes) {
    opened += 1
    if path.isEmpty && rootName == nil { rootName = name }
    path.append(element)
    let depth = path.count
    guard rootName == "domain" else { return }
    // Every element counts for host access, wherever it is (not only the first <devices>).
    hostAccess.start(element, name: name, path: path, attributes: attributes)
    if depth == 2 {
      topLevel[name, default: 0] += 1
      inFirstOfName = topLevel[name] == 1
    }
    guard depth >= 2, depth < 64, inFirstOfName else { return }
    if let kept = keptPath(depth: depth) {
      if Self.textPaths.contains(kept), capture == nil, first(kept) { capture = (depth, "") }
      if Self.attributePaths.contains(kept), first("@" + kept) { self.attributes[kept] = attributes }
    }
    if depth == 3 && path[1] == .features { features.append(name) }
    if depth == 3 && path[1] == .devices {
      switch element {
      case .interface, .disk:
        device = (element, attributes, [:])
        sriovDevice = nil
        seen["devices/interface/sriov_device"] = nil
      case .controller:
        controllers.append(.init(type: attributes["type"] ?? "", model: attributes["model"]))
      default: break
      }
    }
    if depth == 4, path[1] == .devices, let open = device, open.children[element] == nil {
      switch element {
      case .source, .mac, .model, .target: device?.children[element] = attributes
      default: break
      }
    }
  }

  private func characters(_ string: String) {
    capture?.text += string
    hostAccess.text(string)
  }

  private func end() {
    defer { path.removeLast() }
    let depth = path.count
    guard rootName == "domain", let element = path.last else { return }
    hostAccess.end(element, depth: depth)
    if let captured = capture, captured.depth == depth {
      let kept = keptPath(depth: depth) ?? ""
      if kept == "devices/interface/sriov_device" { sriovDevice = captured.text } else { texts[kept] = captured.text }
      capture = nil
    }
    guard depth == 3, path[1] == .devices, let device, inFirstOfName else { return }
    switch device.element {
    case .interface: interfaces.append(Self.interface(device.attributes, device.children, sriovDevice: sriovDevice))
    case .disk: disks.append(Self.disk(device.attributes, device.children))
    default: break
    }
    self.device = nil
  }

  private static func interface(
    _ attributes: DomainAttributes, _ children: [DomainElement: DomainAttributes], sriovDevice: String?
  ) -> DomainSummary.Interface {
    let type = attributes["type"] ?? ""
    let source = children[.source]
    let sourceName: String =
      switch type {
      case "bridge": source?["bridge"] ?? ""
      case "direct": source?["dev"] ?? ""
      case "network": source?["network"] ?? ""
      case "hostdev": trimmed(sriovDevice) ?? ""
      default: source?[type] ?? ""
      }
    return DomainSummary.Interface(
      type: type, mac: children[.mac]?["address"] ?? "", source: sourceName, model: children[.model]?["type"] ?? "",
      targetDevice: children[.target]?["dev"] ?? "")
  }

  private static func disk(_ attributes: DomainAttributes, _ children: [DomainElement: DomainAttributes])
    -> DomainSummary.Disk
  {
    let type = attributes["type"] ?? ""
    let source = children[.source]
    let target = children[.target]
    return DomainSummary.Disk(
      type: type == "network" ? (source?["protocol"] ?? "network") : type,
      name: source?["name"] ?? source?["file"] ?? source?["dev"] ?? "", dev: target?["dev"] ?? "",
      bus: target?["bus"] ?? "")
  }

  /// Text without surrounding white space; `nil` if empty.
  private static func trimmed(_ text: String?) -> String? {
    let value = text?.trimmingXMLWhitespace ?? ""
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
