import Foundation

/// Upstream's `snapshot.json`, written beside a snapshot's exported disk images:
/// `<export_path>/<vm>/<snapshot>/snapshot.json` and `images/<pool>.<volume>.rbdimg` (full, rbd export format 2)
/// or `.rbddiff` (incremental, rbd's diff format from the parent snapshot).
struct VMExportManifest: Codable, Sendable, Hashable {
  /// `full` or `incremental`.
  var type: String
  var snapshotName: String
  var incrementalParent: String?
  /// The VM's detail as `GET /vm/<vm>` gives it, with the snapshot's definition as `xml`.
  var vmDetail: JSONValue
  /// `[relative path, volume size in bytes]` per disk.
  var exportFiles: [JSONValue]
  var exportSizeBytes: Int
  /// Autobackup's exports name their date as well.
  var datestring: String?

  enum CodingKeys: String, CodingKey {
    case type, datestring
    case snapshotName = "snapshot_name"
    case incrementalParent = "incremental_parent"
    case vmDetail = "vm_detail"
    case exportFiles = "export_files"
    case exportSizeBytes = "export_size_bytes"
  }

  /// Writes `incremental_parent` as `null` when there is none, as upstream does.
  func encode(to encoder: any Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(type, forKey: .type)
    try c.encode(snapshotName, forKey: .snapshotName)
    try c.encode(incrementalParent, forKey: .incrementalParent)
    try c.encode(vmDetail, forKey: .vmDetail)
    try c.encode(exportFiles, forKey: .exportFiles)
    try c.encode(exportSizeBytes, forKey: .exportSizeBytes)
    try c.encodeIfPresent(datestring, forKey: .datestring)
  }

  /// The largest manifest read.
  static let maximumSize = 32 << 20

  /// The manifest in `directory`.
  /// - Throws: ``TaskError/failed(_:)`` saying what is missing or wrong.
  static func read(in directory: String) throws -> VMExportManifest {
    let path = directory + "/snapshot.json"
    guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
      let size = attributes[.size] as? Int
    else { throw TaskError.failed("there is no export at \(directory) (no snapshot.json)") }
    guard size <= maximumSize else { throw TaskError.failed("\(path) is larger than \(maximumSize >> 20) MiB") }
    do {
      return try JSONDecoder().decode(VMExportManifest.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
    } catch {
      throw TaskError.failed("\(path) cannot be read: \(error)")
    }
  }

  /// The disk files: the file's path relative to the snapshot's directory (in `folder`: `images` for exports,
  /// `pvcdisks` for legacy backups), its `pool` and `volume` (found among `disks`, `pool/volume`, since both
  /// names may hold dots), and the volume's size.
  func files(disks: [String], folder: String = "images") throws
    -> [(path: String, pool: String, volume: String, size: UInt64)]
  {
    try exportFiles.map { entry in
      guard case .array(let pair) = entry, pair.count == 2, case .string(let path) = pair[0] else {
        throw TaskError.failed("snapshot.json lists a file that is not [path, size]")
      }
      let size: UInt64
      switch pair[1] {
      case .integer(let value) where value >= 0: size = UInt64(value)
      case .string(let text): size = UInt64(text) ?? 0
      default: size = 0
      }
      let base = path.hasPrefix(folder + "/") ? String(path.dropFirst(folder.count + 1)) : ""
      let stem = base.hasSuffix(".rbdimg") ? base.dropLast(7) : base.hasSuffix(".rbddiff") ? base.dropLast(8) : ""
      guard !stem.isEmpty, !base.contains("/"),
        let disk = disks.first(where: { $0.replacingOccurrences(of: "/", with: ".") == stem })
      else { throw TaskError.failed("snapshot.json lists \(path), which is not one of the VM's RBD disks") }
      let parts = disk.split(separator: "/", maxSplits: 1).map(String.init)
      return (path, parts[0], parts[1], size)
    }
  }
}

/// Checks of the paths exports and backups use on the primary's file system.
enum TransferPaths {
  /// An absolute directory path with no `..`, control characters or trailing garbage.
  static func checked(_ path: String, _ what: String) throws -> String {
    guard path.hasPrefix("/"), path.utf8.count <= 4096, !path.split(separator: "/").contains(".."),
      !path.unicodeScalars.contains(where: { $0.properties.generalCategory == .control })
    else { throw VMError.invalidArgument("\(what) '\(path)' is not a valid absolute path") }
    return path.count > 1 && path.hasSuffix("/") ? String(path.dropLast()) : path
  }

  /// `path` if it is a directory on this node.
  static func directory(_ path: String, _ what: String, node: String) throws -> String {
    let path = try checked(path, what)
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else {
      throw TaskError.failed("\(what) '\(path)' does not exist on node '\(node)'")
    }
    return path
  }

  /// The size of a file, or 0.
  static func size(_ path: String) -> Int {
    ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int) ?? 0
  }
}
