import Foundation

/// Ceph's `rbd` tool, for the one thing PVCKit does not do through librbd: files in rbd's own export formats
/// (`rbd export --export-format 2`, `export-diff`, `import`, `import-diff`), which upstream's snapshot exports and
/// backups are made of; the tool writes and reads them exactly as upstream's do. Names are checked before they are
/// arguments; nothing goes through a shell.
struct RBDTool: Sendable {
  let access: CephAccess

  private static let rbd = Command("/usr/bin/rbd", "/bin/rbd")
  /// The longest one export or import may take.
  static let timeout: Duration = .seconds(6 * 3600)

  /// `pool/volume@snapshot` from checked names.
  static func spec(_ pool: String, _ volume: String, _ snapshot: String? = nil) throws -> String {
    try RBDPool.check(pool, "pool")
    try RBDPool.check(volume, "volume")
    if let snapshot { try RBDPool.check(snapshot, "snapshot") }
    return "\(pool)/\(volume)" + (snapshot.map { "@\($0)" } ?? "")
  }

  /// The whole volume up to `snapshot`, snapshots included, into `file` (export format 2).
  func export(pool: String, volume: String, snapshot: String, to file: String) async throws {
    try await run(["export", "--export-format", "2", try Self.spec(pool, volume, snapshot), file])
  }

  /// The changes from `parent` to `snapshot` into `file` (rbd's diff format).
  func exportDiff(pool: String, volume: String, from parent: String, to snapshot: String, file: String) async throws {
    try RBDPool.check(parent, "snapshot")
    try await run(["export-diff", "--from-snap", parent, try Self.spec(pool, volume, snapshot), file])
  }

  /// A new volume from an export-format-2 `file` (its snapshots come back with it).
  func importImage(_ file: String, pool: String, volume: String) async throws {
    try await run(["import", "--export-format", "2", file, try Self.spec(pool, volume)])
  }

  /// Applies a diff `file` to an existing volume (which must have the diff's starting snapshot); the diff's end
  /// snapshot is made.
  func importDiff(_ file: String, pool: String, volume: String) async throws {
    try await run(["import-diff", file, try Self.spec(pool, volume)])
  }

  private func run(_ arguments: [String]) async throws {
    let outcome = try await Self.rbd.run(
      ["--conf", access.configurationFile, "--id", access.user, "--no-progress"] + arguments, timeout: Self.timeout)
    guard outcome.status == 0 else {
      let what = arguments.first ?? "rbd"
      throw StorageError.invalid(
        outcome.timedOut
          ? "rbd \(what) took longer than \(Self.timeout)"
          : "rbd \(what) failed: \(outcome.output.suffix(600).trimmingCharacters(in: .whitespacesAndNewlines))")
    }
  }
}
