/// The elements of a domain definition that ``DomainSummaryParser`` and
/// ``HostAccessScan`` look at, so that each element's name is looked up once
/// and everything after compares small values, not strings.
enum DomainElement: String, CaseIterable, Sendable {
  /// Any element not listed.
  case other = ""
  case domain, name, uuid, description, memory, vcpu, os, type, cpu, topology, features, devices, emulator
  case interface, disk, controller, graphics, console, serial, parallel, channel, source, mac, model, target
  case sriovDevice = "sriov_device"
  case filesystem, hostdev, redirdev, shmem, smartcard, input, script, downscript, tpm, backend, rng
  case kernel, initrd, dtb, loader, nvram, seclabel, log

  private static let byName: [String: DomainElement] = Dictionary(
    uniqueKeysWithValues: allCases.filter { $0 != .other }.map { ($0.rawValue, $0) })

  /// The element called `name` (``other`` for one not listed).
  init(named name: String) { self = Self.byName[name] ?? .other }

  /// Whether the summary or the host-access scan reads the element's attributes.
  var hasReadAttributes: Bool {
    switch self {
    case .memory, .type, .topology, .graphics, .console, .interface, .disk, .controller, .smartcard, .input, .serial,
      .parallel, .channel, .backend, .seclabel, .source, .log, .mac, .model, .target:
      true
    default: false
    }
  }

  /// Whether the element is a character device (its `<source>` and `<log>` may reach the host).
  var isCharacterDevice: Bool { self == .serial || self == .console || self == .parallel || self == .channel }
}

/// The attributes of one element, in document order (elements have few, so a
/// list searched in order is quicker than a dictionary).
struct DomainAttributes: Sendable {
  private var pairs: [(name: String, value: String)] = []

  /// The value of the attribute `name`, or `nil`.
  subscript(name: String) -> String? { pairs.first { $0.name == name }?.value }

  /// Adds an attribute (the first of a name counts).
  mutating func append(_ name: String, _ value: String) { pairs.append((name, value)) }
}
