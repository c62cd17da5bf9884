import Foundation
import FoundationXML

/// What an OVA's OVF descriptor says a VM has (pure): vCPUs, memory, disks in the order the virtual hardware
/// attaches them, and NICs.
///
/// Parsing refuses DOCTYPE and entity declarations (nothing external is ever fetched), documents over 1 MiB,
/// and descriptors without a virtual system, with more than 26 disks or 64 NICs, or whose values do not fit.
public struct OVFDescriptor: Sendable, Hashable {
  /// One disk: the file in the archive holding its image and the capacity the guest sees.
  public struct Disk: Sendable, Hashable {
    /// The disk's `ovf:diskId`.
    public var id: String
    /// The archive member (`ovf:href` of its file).
    public var file: String
    /// The guest's disk size in bytes.
    public var capacity: UInt64
    /// The image's format, from `ovf:format` (`vmdk` when it names VMDK, as nearly every OVA's does).
    public var format: ImageFormat
  }

  /// One network adapter.
  public struct NIC: Sendable, Hashable {
    /// The OVF network it connects to.
    public var network: String
    /// The adapter model (`E1000`, `VmxNet3`...), when given.
    public var model: String?
  }

  public var vcpus: Int
  public var memoryMiB: Int
  public var disks: [Disk]
  public var nics: [NIC]

  /// The largest descriptor read, in bytes.
  public static let maximumSize = 1 << 20

  /// Reads a descriptor.
  /// - Throws: ``ProvisionerError/invalid(_:)`` saying what is wrong.
  public static func parse(_ text: String) throws(ProvisionerError) -> OVFDescriptor {
    guard text.utf8.count <= maximumSize else { throw .invalid("the OVF descriptor is larger than 1 MiB") }
    guard !DomainXML.hasDeclarations(text) else {
      throw .invalid("the OVF descriptor has a DOCTYPE or entity declaration, which is not accepted")
    }
    let reader = Reader()
    let parser = XMLParser(data: Data(text.utf8))
    parser.delegate = reader
    parser.shouldResolveExternalEntities = false
    guard parser.parse() else {
      throw .invalid("the OVF descriptor is not well-formed XML (\(parser.parserError?.localizedDescription ?? "?"))")
    }
    return try reader.descriptor()
  }

  /// Bytes in `value` of `units` (`byte * 2^20`, `MegaBytes`, `GB`...; bytes when absent).
  static func bytes(_ value: String, units: String?) -> UInt64? {
    guard let number = UInt64(value.trimmingCharacters(in: .whitespaces)) else { return nil }
    let unit = (units ?? "byte").lowercased().replacingOccurrences(of: " ", with: "")
    let shift: UInt64
    if let range = unit.range(of: "byte*2^") {
      guard let power = UInt64(unit[range.upperBound...]), power < 64 else { return nil }
      shift = power
    } else {
      switch unit {
      case "byte", "bytes", "b": shift = 0
      case "kb", "kilobytes", "kib": shift = 10
      case "mb", "megabytes", "mib": shift = 20
      case "gb", "gigabytes", "gib": shift = 30
      case "tb", "terabytes", "tib": shift = 40
      default: return nil
      }
    }
    let (result, overflow) = number.multipliedReportingOverflow(by: 1 << shift)
    return overflow ? nil : result
  }

  /// Collects the elements the descriptor needs, by local name (namespace prefixes vary between tools).
  final class Reader: NSObject, XMLParserDelegate {
    var files: [String: String] = [:]
    var disks: [(id: String, file: String, capacity: String, units: String?, format: String)] = []
    var items: [[String: String]] = []
    var item: [String: String]?
    var text = ""
    var virtualSystems = 0

    static func local(_ name: String) -> String { String(name.split(separator: ":").last ?? Substring(name)) }

    static func attribute(_ attributes: [String: String], _ name: String) -> String? {
      attributes.first { local($0.key) == name }?.value
    }

    func parser(
      _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName: String?,
      attributes: [String: String] = [:]
    ) {
      text = ""
      switch Self.local(elementName) {
      case "File":
        if let id = Self.attribute(attributes, "id"), let href = Self.attribute(attributes, "href") {
          files[id] = href
        }
      case "Disk":
        if let id = Self.attribute(attributes, "diskId"), let file = Self.attribute(attributes, "fileRef") {
          disks.append(
            (
              id, file, Self.attribute(attributes, "capacity") ?? "",
              Self.attribute(attributes, "capacityAllocationUnits"), Self.attribute(attributes, "format") ?? ""
            ))
        }
      case "VirtualSystem": virtualSystems += 1
      case "Item", "StorageItem", "EthernetPortItem": item = [:]
      default: break
      }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) { text += string }

    func parser(
      _ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName: String?
    ) {
      let name = Self.local(elementName)
      switch name {
      case "Item", "StorageItem", "EthernetPortItem":
        if let item { items.append(item) }
        item = nil
      default:
        if item != nil, item?[name] == nil { item?[name] = text.trimmingCharacters(in: .whitespacesAndNewlines) }
      }
      text = ""
    }

    func descriptor() throws(ProvisionerError) -> OVFDescriptor {
      guard virtualSystems == 1 else {
        throw .invalid("the OVF descriptor must describe exactly one virtual system (it has \(virtualSystems))")
      }
      func quantity(_ type: String) -> (String, String?)? {
        items.first { $0["ResourceType"] == type }.map { ($0["VirtualQuantity"] ?? "", $0["AllocationUnits"]) }
      }
      guard let cpu = quantity("3"), let vcpus = Int(cpu.0), (1...256).contains(vcpus) else {
        throw .invalid("the OVF descriptor gives no usable vCPU count (1 to 256)")
      }
      guard let memory = quantity("4"), let bytes = OVFDescriptor.bytes(memory.0, units: memory.1 ?? "byte * 2^20"),
        bytes >= 1 << 20, bytes <= 16 << 40
      else { throw .invalid("the OVF descriptor gives no usable memory size (1 MiB to 16 TiB)") }
      // Disks in the order the hardware attaches them (`ovf:/disk/<id>`), then any the hardware does not name.
      let attached = items.filter { $0["ResourceType"] == "17" }.compactMap { $0["HostResource"] }.compactMap {
        $0.split(separator: "/").last.map(String.init)
      }
      let ordered =
        attached.compactMap { id in disks.first { $0.id == id } }
        + disks.filter { !attached.contains($0.id) }
      guard ordered.count <= 26 else { throw .invalid("the OVF descriptor has more than 26 disks") }
      var found: [Disk] = []
      for disk in ordered {
        guard let file = files[disk.file], !file.isEmpty else {
          throw .invalid("disk \(disk.id) names file \(disk.file), which the OVF descriptor does not list")
        }
        guard let capacity = OVFDescriptor.bytes(disk.capacity, units: disk.units), capacity > 0 else {
          throw .invalid("disk \(disk.id) has no usable capacity")
        }
        let format: ImageFormat =
          disk.format.lowercased().contains("vmdk")
          ? .vmdk : disk.format.lowercased().contains("qcow") ? .qcow2 : disk.format.isEmpty ? .vmdk : .raw
        found.append(Disk(id: disk.id, file: file, capacity: capacity, format: format))
      }
      let nics = items.filter { $0["ResourceType"] == "10" }.map {
        NIC(network: $0["Connection"] ?? "", model: $0["ResourceSubType"])
      }
      guard nics.count <= 64 else { throw .invalid("the OVF descriptor has more than 64 network adapters") }
      return OVFDescriptor(vcpus: vcpus, memoryMiB: Int(bytes >> 20), disks: found, nics: nics)
    }
  }
}
