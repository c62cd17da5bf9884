/// The provisioner's checks (pure): every name, size, reference and document before anything is written.
public enum ProvisionerRules {
  /// The largest userdata document or script kept.
  public static let maximumDocument = 1 << 20
  /// The most vCPUs and memory (MiB) a template may ask for.
  public static let vcpuRange = 1...1024
  public static let memoryRange = 1...(16 << 20)
  /// The largest disk a template may make (GiB).
  public static let diskSizeRange = 1...65_536
  /// Filesystems a template may make on a disk (what the install stage can run `mkfs.<name>` for).
  public static let filesystems = ["ext2", "ext3", "ext4", "xfs", "btrfs", "vfat", "swap"]

  /// A template, userdata, script, OVA or profile name: 1 to 100 letters, digits, `.`, `_`, `-`, not
  /// starting with `.` or `-` (names appear in paths, volume names and messages).
  public static func name(_ text: String, _ kind: String) throws(ProvisionerError) -> String {
    let allowed = text.utf8.allSatisfy { byte in
      (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
        || byte == 0x2E || byte == 0x5F || byte == 0x2D
    }
    guard (1...100).contains(text.utf8.count), allowed, !text.hasPrefix("."), !text.hasPrefix("-") else {
      throw .invalid(
        "'\(shown(text))' is not a \(kind) name: 1 to 100 letters, digits, '.', '_' or '-', not starting with '.' or '-'"
      )
    }
    return text
  }

  /// A system template's values, for a new template (`vcpus` and `vramMB` required) or a change.
  public static func systemTemplate(_ request: SystemTemplateRequest, new: Bool) throws(ProvisionerError)
    -> SystemTemplateRequest
  {
    var checked = request
    if new {
      guard request.vcpus != nil, request.vramMB != nil, request.serial != nil, request.vnc != nil else {
        throw .invalid("a system template needs vcpus, vram, serial and vnc")
      }
    }
    if let vcpus = request.vcpus, !vcpuRange.contains(vcpus) {
      throw .invalid("vcpus must be \(vcpuRange.lowerBound) to \(vcpuRange.upperBound), not \(vcpus)")
    }
    if let memory = request.vramMB, !memoryRange.contains(memory) {
      throw .invalid("vram must be \(memoryRange.lowerBound) to \(memoryRange.upperBound) MB, not \(memory)")
    }
    if let bind = request.vncBind {
      guard request.vnc != false else { throw .invalid("vnc_bind needs vnc") }
      guard bind.isEmpty || IPAddress(bind) != nil else {
        throw .invalid("vnc_bind must be an IP address, not '\(shown(bind))'")
      }
      checked.vncBind = bind.isEmpty ? nil : IPAddress(bind)?.description
    }
    if let nodes = request.nodeLimit {
      guard nodes.count <= 64 else { throw .invalid("node_limit names at most 64 nodes") }
      checked.nodeLimit = try nodes.filter { !$0.isEmpty }.map { (node) throws(ProvisionerError) in
        guard (try? Layout.node(node)) != nil, !node.contains(","), node.utf8.count <= 64 else {
          throw .invalid("'\(shown(node))' in node_limit is not a node name")
        }
        return node
      }
    }
    if let selector = request.nodeSelector {
      guard NodeSelector(rawValue: selector.lowercased()) != nil else {
        throw .invalid(
          "node_selector must be one of \(NodeSelector.allCases.map(\.rawValue).joined(separator: ", ")), not '\(shown(selector))'"
        )
      }
      checked.nodeSelector = selector.lowercased()
    }
    if let method = request.migrationMethod {
      guard MigrationMethod(rawValue: method.lowercased()) != nil else {
        throw .invalid("migration_method must be live, shutdown or none, not '\(shown(method))'")
      }
      checked.migrationMethod = method.lowercased()
    }
    if let downtime = request.migrationMaxDowntime, !(1...3_600_000).contains(downtime) {
      throw .invalid("migration_max_downtime must be 1 to 3600000 ms")
    }
    return checked
  }

  /// A MAC template: upstream's placeholders `{prefix}`, `{vmid}`, `{netid}` and hexadecimal digits, making
  /// six colon-separated octets (for example `{prefix}:ff:ff:{vmid}{netid}`).
  public static func macTemplate(_ text: String) throws(ProvisionerError) -> String {
    let expanded = text.replacingOccurrences(of: "{prefix}", with: "52:54:00").replacingOccurrences(
      of: "{vmid}", with: "0"
    ).replacingOccurrences(of: "{netid}", with: "0")
    guard text.utf8.count <= 64, NetworkRules.mac(expanded) != nil else {
      throw .invalid(
        "'\(shown(text))' is not a MAC template: six octets of hexadecimal digits and {prefix}, {vmid}, {netid}")
    }
    return text
  }

  /// A network template's network: a VNI (1 to 16777215), or `upstream`, `cluster` or `storage`.
  public static func templateNetwork(_ text: String) throws(ProvisionerError) -> String {
    if ["upstream", "cluster", "storage"].contains(text) { return text }
    guard text.utf8.count <= 8, let vni = Int(text), (1...16_777_215).contains(vni) else {
      throw .invalid("'\(shown(text))' is not a VNI (1 to 16777215) or upstream, cluster or storage")
    }
    return String(vni)
  }

  /// A disk ID: `sd`, `vd`, `hd` or `xvd` and letters (`sda`, `vdb`).
  public static func diskID(_ text: String) throws(ProvisionerError) -> String {
    let prefixes = ["sd", "vd", "hd", "xvd"]
    guard let prefix = prefixes.first(where: { text.hasPrefix($0) }), text.utf8.count <= prefix.utf8.count + 3,
      text.utf8.count > prefix.utf8.count,
      text.utf8.dropFirst(prefix.utf8.count).allSatisfy({ (0x61...0x7A).contains($0) })
    else { throw .invalid("'\(shown(text))' is not a disk ID (sda, vdb, ...)") }
    return text
  }

  /// A storage template's disk.
  public static func disk(_ request: TemplateDiskRequest) throws(ProvisionerError) -> TemplateDiskRequest {
    var checked = request
    guard (try? RBDPool.check(request.pool, "pool")) != nil else {
      throw .invalid("'\(shown(request.pool))' is not a pool name")
    }
    if let source = request.sourceVolume {
      guard (try? RBDPool.check(source, "volume")) != nil else {
        throw .invalid("'\(shown(source))' is not a volume name")
      }
      guard request.sizeGB == nil, request.filesystem == nil, request.mountpoint == nil,
        request.filesystemArguments.isEmpty
      else {
        throw .invalid("a copy of a source volume takes no disk size, filesystem or mountpoint")
      }
      return checked
    }
    guard let size = request.sizeGB else { throw .invalid("a new disk needs a size (disk_size, in GB)") }
    guard diskSizeRange.contains(size) else {
      throw .invalid("disk_size must be \(diskSizeRange.lowerBound) to \(diskSizeRange.upperBound) GB")
    }
    if let filesystem = request.filesystem {
      guard filesystems.contains(filesystem) else {
        throw .invalid("filesystem must be one of \(filesystems.joined(separator: ", ")), not '\(shown(filesystem))'")
      }
    }
    if let mountpoint = request.mountpoint {
      guard request.filesystem != nil else { throw .invalid("a mountpoint needs a filesystem") }
      guard mountpoint.hasPrefix("/"), mountpoint.utf8.count <= 255, !mountpoint.split(separator: "/").contains(".."),
        mountpoint.unicodeScalars.allSatisfy({ $0.isASCII && $0.value > 0x20 && $0.value < 0x7F })
      else { throw .invalid("'\(shown(mountpoint))' is not a mountpoint (an absolute path)") }
    }
    guard request.filesystemArguments.count <= 32 else { throw .invalid("at most 32 filesystem arguments") }
    for argument in request.filesystemArguments {
      // Passed to mkfs as one argument each, never through a shell; still only plain option text.
      guard argument.hasPrefix("-"), argument.utf8.count <= 200,
        argument.unicodeScalars.allSatisfy({ $0.isASCII && $0.value > 0x20 && $0.value < 0x7F })
      else { throw .invalid("'\(shown(argument))' is not a filesystem argument (such as -L=root)") }
    }
    if request.filesystem == nil && !request.filesystemArguments.isEmpty {
      throw .invalid("filesystem arguments need a filesystem")
    }
    checked.filesystemArguments = request.filesystemArguments
    return checked
  }

  /// A userdata document: UTF-8 text without NUL, at most 1 MiB.
  public static func userdata(_ text: String) throws(ProvisionerError) -> String {
    guard text.utf8.count <= maximumDocument, !text.utf8.contains(0) else {
      throw .invalid("a userdata document is text of at most \(maximumDocument) bytes")
    }
    return text
  }

  /// A script: an executable's text with its `#!` interpreter line, at most 1 MiB.
  public static func script(_ text: String) throws(ProvisionerError) -> String {
    guard text.utf8.count <= maximumDocument, !text.utf8.contains(0) else {
      throw .invalid("a script is text of at most \(maximumDocument) bytes")
    }
    guard text.hasPrefix("#!/"), let line = text.split(separator: "\n").first, line.utf8.count <= 200 else {
      throw .invalid(
        "a script starts with its interpreter line (such as #!/bin/sh or #!/usr/bin/python3): PVCKit runs it as an executable"
      )
    }
    return text
  }

  /// Script arguments: `key=value`, keys of letters, digits and `_`; at most 64.
  public static func arguments(_ list: [String]) throws(ProvisionerError) -> [String] {
    let given = list.filter { !$0.isEmpty }
    guard given.count <= 64 else { throw .invalid("at most 64 arguments") }
    for argument in given {
      let parts = argument.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
      guard parts.count == 2, !parts[0].isEmpty, parts[0].utf8.count <= 64,
        parts[0].utf8.allSatisfy({
          (0x30...0x39).contains($0) || (0x41...0x5A).contains($0) || (0x61...0x7A).contains($0) || $0 == 0x5F
        }), argument.utf8.count <= 4096, !argument.contains("|"),
        argument.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value != 0x7F })
      else { throw .invalid("'\(shown(argument))' is not an argument (key=value, without '|')") }
    }
    return given
  }

  static func shown(_ text: String) -> String { ValueKind.shown(text) }
}

/// A provisioner operation that could not be done.
public enum ProvisionerError: ClassifiedError, Sendable, Hashable, CustomStringConvertible {
  /// This connection has no provisioner database configured.
  case noDatabase
  /// No such object (`kind` such as "system template").
  case notFound(kind: String, name: String)
  /// The object exists already.
  case exists(kind: String, name: String)
  /// The object is used by profiles (named).
  case inUse(kind: String, name: String, by: [String])
  /// A value is not acceptable.
  case invalid(String)
  /// The database's schema is newer than this PVCKit knows.
  case schemaTooNew(database: Int, known: Int)

  public var kind: ErrorKind {
    switch self {
    case .noDatabase, .schemaTooNew: .unavailable
    case .notFound: .notFound
    case .exists, .inUse: .refused
    case .invalid: .invalid
    }
  }

  public var description: String {
    switch self {
    case .noDatabase:
      "this connection has no provisioner database (configure database.mariadb.api in pvc.conf, or connect through the API)"
    case .notFound(let kind, let name): "the \(kind) \"\(name)\" does not exist"
    case .exists(let kind, let name): "the \(kind) \"\(name)\" already exists"
    case .inUse(let kind, let name, let by):
      "the \(kind) \"\(name)\" is used by profile\(by.count == 1 ? "" : "s") \(by.joined(separator: ", ")): change or remove \(by.count == 1 ? "it" : "them") first"
    case .invalid(let message): message
    case .schemaTooNew(let database, let known):
      "the provisioner database's schema is version \(database), newer than this PVCKit's \(known): upgrade PVCKit"
    }
  }
}
