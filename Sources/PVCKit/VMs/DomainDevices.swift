import Foundation
import FoundationXML

/// One device of a domain definition given on its own (upstream's `/vm/{vm}/device` body), and the definition
/// with it attached or detached. A device is checked as a definition is: no declarations, bounded, well-formed,
/// a root that is a device libvirt knows; the definition it makes goes through every check of a new definition
/// (and the cluster's ``DomainPolicy``) before anything reaches libvirt.
public struct DomainDevice: Sendable, Hashable {
  /// The device's element, as text.
  public let text: String
  /// The element's name (`disk`, `interface`...).
  public let kind: String

  /// The largest device accepted, in bytes.
  public static let maximumSize = 64 << 10

  /// The elements that may sit in `<devices>`.
  public static let kinds: Set<String> = [
    "disk", "interface", "controller", "hostdev", "filesystem", "input", "graphics", "sound", "video", "serial",
    "console", "channel", "rng", "watchdog", "memballoon", "redirdev", "smartcard", "tpm", "panic", "shmem",
    "memory", "iommu", "vsock", "lease", "hub", "parallel", "audio", "crypto", "pstore",
  ]

  /// Parses and checks a device.
  /// - Throws: ``VMError/invalidXML(_:)`` saying what is wrong.
  public init(_ text: String) throws {
    let element = try Self.element(text)
    self.text = element.xmlString
    kind = element.name ?? ""
  }

  /// The device's element, parsed from checked text.
  static func element(_ text: String) throws -> XMLElement {
    guard text.utf8.count <= maximumSize else {
      throw VMError.invalidXML("the device is over \(maximumSize / 1024) KiB")
    }
    guard !DomainXML.hasDeclarations(text) else {
      throw VMError.invalidXML("the device has a DOCTYPE or entity declaration")
    }
    // libxml2's document parser mends broken text: the strict reader says first what is well-formed.
    try DomainSummaryParser.checkWellFormed(text)
    let document: XMLDocument
    do {
      document = try XMLDocument(xmlString: text, options: [])
    } catch {
      throw VMError.invalidXML("the device is not well-formed XML (\((error as NSError).localizedDescription))")
    }
    guard let root = document.rootElement(), let name = root.name, kinds.contains(name) else {
      throw VMError.invalidXML(
        "the device's element must be one libvirt puts in <devices> (\(kinds.sorted().joined(separator: ", ")))")
    }
    root.detach()
    return root
  }

  /// The definition with this device added after the last of its kind, and the device as added (an interface
  /// without a MAC address is given a random one, so that the running VM and its definition agree).
  /// - Throws: ``VMError/invalidArgument(_:)`` when an equal device (the same disk target or MAC) is there.
  public func attached(to definition: String) throws -> (definition: DomainXML, device: String) {
    let element = try Self.element(text)
    if kind == "interface", element.child("mac") == nil {
      let mac = XMLElement(name: "mac")
      mac.setAttribute("address", VMDeviceEdits.randomMAC())
      element.insertChild(mac, at: 0)
    }
    let result = try DomainXML.edited(definition) { root in
      if let existing = root.child("devices")?.children(named: kind).first(where: { Self.same($0, element) }) {
        throw VMError.invalidArgument("the VM already has this \(kind): \(existing.xmlString)")
      }
      try VMDeviceEdits.insert(element, after: kind, in: root)
    }
    return (result, element.xmlString)
  }

  /// The definition without this device, and the device as the definition had it. A disk is found by its target,
  /// an interface by its MAC address, anything else by being equal.
  /// - Throws: ``VMError/invalidArgument(_:)`` when the definition has no such device.
  public func detached(from definition: String) throws -> (definition: DomainXML, device: String) {
    let element = try Self.element(text)
    var removed: String?
    let result = try DomainXML.edited(definition) { root in
      guard let found = root.child("devices")?.children(named: kind).first(where: { Self.same($0, element) }) else {
        return
      }
      removed = found.xmlString
      found.detach()
    }
    guard let removed else { throw VMError.invalidArgument("the VM has no such \(kind)") }
    return (result, removed)
  }

  /// This device as `definition` has it (a disk found by its target, an interface by its MAC), or `nil`.
  public func found(in definition: String) throws -> String? {
    let element = try Self.element(text)
    var found: String?
    _ = try DomainXML.edited(definition) { root in
      found = root.child("devices")?.children(named: kind).first { Self.same($0, element) }?.xmlString
    }
    return found
  }

  /// The devices `new` has that `old` has not, and those `old` had that `new` has not (for applying an edit of
  /// a running VM's definition as hot-plugs).
  public static func difference(from old: String, to new: String) throws -> (added: [String], removed: [String]) {
    func devices(_ text: String) throws -> [String] {
      var found: [String] = []
      _ = try DomainXML.edited(text) { root in
        for case let element as XMLElement in root.child("devices")?.children ?? [] where element.name != "emulator" {
          found.append(element.xmlString)
        }
      }
      return found
    }
    let (before, after) = (try devices(old), try devices(new))
    return (after.filter { !before.contains($0) }, before.filter { !after.contains($0) })
  }

  /// Whether two devices of a kind are the same device.
  static func same(_ a: XMLElement, _ b: XMLElement) -> Bool {
    switch a.name {
    case "disk":
      return a.child("target")?.attribute("dev") == b.child("target")?.attribute("dev")
    case "interface":
      let mac = b.child("mac")?.attribute("address")?.lowercased()
      return mac != nil && a.child("mac")?.attribute("address")?.lowercased() == mac
    default:
      return a.xmlString == b.xmlString
    }
  }
}
