import Foundation

/// Finds the parts of a domain definition that reach the host rather than the
/// cluster's own resources: QEMU command-line passthrough, emulators other than
/// the system's, disks and directories on the host, host devices, character
/// devices on host files, sockets or ports, guest logs outside libvirt's log
/// directory, boot files from the host, host scripts. Fed element by element by
/// ``DomainSummaryParser`` (every element counts, wherever it is), it lists what
/// it found for ``DomainPolicy``.
struct HostAccessScan {
  /// What reaches the host, for people.
  private(set) var findings: [String] = []
  /// The element whose text is being read, and the text so far.
  private var reading: (depth: Int, element: DomainElement, text: String)?
  /// The character device being read (its type), for its `<source>` and `<log>`.
  private var characterDevice: String?

  /// Emulators the system installs; any other path is host access.
  static let emulators: Set<String> = [
    "/usr/bin/kvm", "/usr/bin/qemu-kvm", "/usr/libexec/qemu-kvm", "/usr/bin/qemu-system-x86_64",
    "/usr/bin/qemu-system-i386", "/usr/bin/qemu-system-aarch64", "/usr/bin/qemu-system-ppc64",
    "/usr/bin/qemu-system-s390x",
  ]
  /// Sources of randomness a guest may be given.
  static let randomSources: Set<String> = ["/dev/urandom", "/dev/random", "/dev/hwrng"]

  /// Whether the text of the current element is being read.
  var isReading: Bool { reading != nil }

  private mutating func found(_ what: String) {
    if findings.count < 20 && !findings.contains(what) { findings.append(what) }
  }

  /// Whether `path` is absolute, free of `..`, and under `directory`.
  static func isPath(_ path: String, under directory: String) -> Bool {
    path.hasPrefix(directory) && !path.split(separator: "/").contains("..")
  }

  /// An element opened at `path` (the root first, `element` last), spelled `name`.
  mutating func start(_ element: DomainElement, name: String, path: [DomainElement], attributes: DomainAttributes) {
    let depth = path.count
    let parent = depth >= 2 ? path[depth - 2] : .other
    if name.utf8.first == UInt8(ascii: "q"), name.utf8.starts(with: "qemu:".utf8) {
      found("QEMU command-line passthrough (<\(name)>)")
    }
    switch (parent, element) {
    case (.devices, .disk) where ["file", "block", "dir", "volume"].contains(attributes["type"] ?? ""):
      found("a disk on the host (<disk type='\(attributes["type"] ?? "")'>)")
    case (.devices, .filesystem): found("a host directory shared with the guest (<filesystem>)")
    case (.devices, .hostdev): found("a host device passed through (<hostdev>)")
    case (.devices, .redirdev), (.devices, .shmem): found("host access through <\(name)>")
    case (.devices, .smartcard) where attributes["mode"] == "passthrough":
      found("a host smartcard passed through (<smartcard mode='passthrough'>)")
    case (.devices, .input) where ["passthrough", "evdev"].contains(attributes["type"] ?? ""):
      found("a host input device passed through (<input type='\(attributes["type"] ?? "")'>)")
    case (.devices, .serial), (.devices, .console), (.devices, .parallel), (.devices, .channel):
      let type = attributes["type"] ?? "pty"
      characterDevice = type
      if ["file", "dev", "pipe", "tcp", "udp"].contains(type) {
        found("a <\(name)> on the host (type '\(type)')")
      }
    case (.interface, .script), (.interface, .downscript): found("a host script run for an interface")
    case (.tpm, .backend) where attributes["type"] == "passthrough": found("the host's TPM passed through")
    case (.os, .kernel), (.os, .initrd), (.os, .dtb): found("a boot file from the host (<os><\(name)>)")
    case (_, .seclabel) where attributes["type"] == "none":
      found("host confinement switched off (<seclabel type='none'>)")
    default: break
    }
    if let type = characterDevice, depth >= 4, path[depth - 2].isCharacterDevice {
      if element == .source, type == "unix", let socket = attributes["path"],
        !Self.isPath(socket, under: "/var/lib/libvirt/qemu/") && !Self.isPath(socket, under: "/run/libvirt/qemu/")
      {
        found("a socket on the host (\(socket))")
      }
      if element == .log, let file = attributes["file"], !Self.isPath(file, under: "/var/log/libvirt/") {
        found("a guest log outside /var/log/libvirt (\(file))")
      }
    }
    let reads: Bool =
      switch (parent, element) {
      case (.devices, .emulator), (.os, .loader), (.os, .nvram), (.rng, .backend): true
      default: false
      }
    if reads, reading == nil { reading = (depth, element, "") }
  }

  /// Text inside the current element.
  mutating func text(_ string: String) { reading?.text += string }

  /// The element `element` at `depth` closed.
  mutating func end(_ element: DomainElement, depth: Int) {
    if characterDevice != nil, element.isCharacterDevice { characterDevice = nil }
    guard let open = reading, open.depth == depth else { return }
    reading = nil
    let value = open.text.trimmingXMLWhitespace
    switch open.element {
    case .emulator where !Self.emulators.contains(value): found("an emulator other than the system's (\(value))")
    case .loader where !value.isEmpty && !Self.isPath(value, under: "/usr/share/"):
      found("firmware from outside /usr/share (\(value))")
    case .nvram where !value.isEmpty && !Self.isPath(value, under: "/var/lib/libvirt/qemu/nvram/"):
      found("firmware variables outside /var/lib/libvirt/qemu/nvram (\(value))")
    case .backend where !Self.randomSources.contains(value): found("a random source on the host (\(value))")
    default: break
    }
  }
}
