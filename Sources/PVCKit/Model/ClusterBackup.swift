public import Foundation

/// A backup of the whole cluster tree, in upstream PVC's format: one JSON
/// object mapping each node's path to its data as a string (`"/"` included).
///
/// Upstream backups restore into PVCKit and PVCKit backups into upstream.
/// PVCKit leaves out ephemeral nodes (lock and election entries, which belong
/// to live sessions) besides the `/zookeeper` and `/patroni` trees.
public struct ClusterBackup: Sendable, Hashable {
  /// Node data by path.
  public var entries: [String: String]

  /// Creates a backup from entries.
  public init(entries: [String: String]) { self.entries = entries }

  /// The schema version recorded in the backup, if any.
  public var schemaVersion: Int? {
    entries[Layout.base.path(.schemaVersion)].flatMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
  }

  /// Parses a backup, checking every path.
  ///
  /// - Throws: ``ClusterError/invalidBackup(_:)`` naming what is wrong: not a
  ///   JSON object, a value that is not a string, a path that is not absolute
  ///   or contains empty, `.` or `..` components.
  public init(json: Data) throws {
    let object: Any
    do {
      object = try JSONSerialization.jsonObject(with: json, options: [.fragmentsAllowed])
    } catch {
      throw ClusterError.invalidBackup("not valid JSON (\(error.localizedDescription))")
    }
    // Upstream's API returns the backup as a JSON string holding the JSON object: accept both.
    if let text = object as? String, let inner = text.data(using: .utf8) {
      try self.init(json: inner)
      return
    }
    guard let dictionary = object as? [String: Any] else {
      throw ClusterError.invalidBackup("expected a JSON object mapping paths to values")
    }
    var entries: [String: String] = [:]
    for (path, value) in dictionary {
      try Self.check(path)
      switch value {
      case let text as String: entries[path] = text
      case is NSNull: entries[path] = ""
      default: throw ClusterError.invalidBackup("the value of \(path) is not a string")
      }
    }
    guard !entries.isEmpty else { throw ClusterError.invalidBackup("the backup is empty") }
    self.init(entries: entries)
  }

  private static func check(_ path: String) throws {
    guard path == "/" || (path.hasPrefix("/") && !path.hasSuffix("/")) else {
      throw ClusterError.invalidBackup("'\(path)' is not an absolute node path")
    }
    for component in path.split(separator: "/", omittingEmptySubsequences: false).dropFirst() where path != "/" {
      guard !component.isEmpty, component != ".", component != "..",
        !component.unicodeScalars.contains(where: { $0.value == 0 })
      else { throw ClusterError.invalidBackup("'\(path)' is not a valid node path") }
    }
  }

  /// Checks the whole backup before anything is written: its schema version,
  /// every object name and every value PVCKit reads (numbers, states, JSON
  /// documents, and each VM's definition through the same checks as a new one).
  /// - Throws: ``ClusterError/schemaMismatch(backup:cluster:)`` or
  ///   ``ClusterError/invalidBackup(_:)`` naming the first bad records.
  /// - Parameter policy: which VM definitions the cluster accepts (as for define).
  public func check(policy: DomainPolicy = .strict) throws {
    guard schemaVersion == Layout.currentVersion else {
      throw ClusterError.schemaMismatch(backup: schemaVersion, cluster: Layout.currentVersion)
    }
    var problems = LayoutCheck.problems(entries)
    let definitions = Layout.base.path(.domains) + "/"
    for (path, text) in entries where path.hasPrefix(definitions) && path.hasSuffix(DomainKey.xml.spec.path) {
      guard path.split(separator: "/").count == 3, let xml = try? DomainXML(stored: text) else { continue }
      do {
        try policy.check(xml.summary)
      } catch {
        problems.append(RecordProblem(path: path, problem: "\(error)"))
      }
    }
    problems.sort { $0.path < $1.path }
    guard problems.isEmpty else {
      let shown = problems.prefix(5).map(\.description).joined(separator: "; ")
      let more = problems.count > 5 ? " (and \(problems.count - 5) more)" : ""
      throw ClusterError.invalidBackup(
        "\(problems.count) record\(problems.count == 1 ? "" : "s") cannot be restored: \(shown)\(more)")
    }
  }

  /// The backup as JSON, keys sorted.
  public func jsonData(pretty: Bool = false) -> Data {
    var options: JSONSerialization.WritingOptions = [.sortedKeys, .withoutEscapingSlashes]
    if pretty { options.insert(.prettyPrinted) }
    return (try? JSONSerialization.data(withJSONObject: entries, options: options)) ?? Data("{}".utf8)
  }
}
