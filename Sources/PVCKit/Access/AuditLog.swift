public import Foundation

/// One state-changing call the cluster was asked to make: who (the credential's name and role), what (the
/// operation, its method and path), when, from where, and what came of it.
public struct AuditEntry: Sendable, Hashable, Codable {
  /// Seconds since 1970 when the answer was given.
  public var time: Double
  /// The credential's name (never the token) and its role.
  public var who: String
  public var role: String
  /// The client's address.
  public var client: String
  /// The operation's id in PVCKit's catalog (`vm.set-state`), the HTTP method and the request path.
  public var operation: String
  public var method: String
  public var path: String
  /// The HTTP status of the answer, and its message (for a refusal or a failure: why).
  public var status: Int
  public var result: String

  /// An entry; texts are cut to a few hundred characters.
  public init(
    time: Date = Date(), who: String, role: String, client: String, operation: String, method: String,
    path: String, status: Int, result: String
  ) {
    self.time = time.timeIntervalSince1970
    self.who = String(who.prefix(100))
    self.role = String(role.prefix(20))
    self.client = String(client.prefix(100))
    self.operation = String(operation.prefix(100))
    self.method = String(method.prefix(10))
    self.path = String(path.prefix(500))
    self.status = status
    self.result = String(result.prefix(500))
  }

  /// The entry as one line of text (for the journal and `pvc cluster audit`).
  public var line: String {
    let when = Date(timeIntervalSince1970: time).formatted(.iso8601)
    return "\(when) \(who) (\(role)) from \(client): \(method) \(path) [\(operation)] → \(status) \(result)"
  }
}

/// The audit log: a bounded log in ZooKeeper (`/pvckit/audit/e<sequence>`, one JSON entry each), written by
/// pvcapi for every state-changing call and read by `pvc cluster audit` and the web UI. The oldest entries are
/// removed once there are more than ``limit``.
public enum AuditLog {
  /// Where the entries live.
  public static let root = Layout.auditRoot
  /// How many entries are kept.
  public static let limit = 10_000
  /// Every how many entries the log is trimmed.
  static let trimEvery = 100

  /// Appends `entry`; returns its sequence number.
  @discardableResult
  public static func append(_ entry: AuditEntry, zookeeper: ZooKeeper) async throws -> Int {
    let data = try JSONEncoder().encode(entry)
    let path: String
    do {
      path = try await zookeeper.create(root + "/e", data: Array(data), mode: .persistentSequential)
    } catch let error as ZooKeeperError where error.code == .noNode {
      try await zookeeper.ensurePath(root)
      path = try await zookeeper.create(root + "/e", data: Array(data), mode: .persistentSequential)
    }
    let sequence = sequence(of: String(path.split(separator: "/").last ?? "")) ?? 0
    if sequence % trimEvery == 0 { try? await trim(zookeeper: zookeeper, keeping: limit) }
    return sequence
  }

  /// The newest `count` entries, oldest first; an entry that cannot be read is left out.
  public static func entries(last count: Int, zookeeper: ZooKeeper) async throws -> [AuditEntry] {
    guard count > 0 else { return [] }
    let names: [String]
    do {
      names = try await zookeeper.children(root)
    } catch let error as ZooKeeperError where error.code == .noNode {
      return []
    }
    let newest = names.compactMap { name in sequence(of: name).map { (name, $0) } }.sorted { $0.1 < $1.1 }
      .suffix(count)
    let values = try await zookeeper.getMany(newest.map { root + "/" + $0.0 })
    let decoder = JSONDecoder()
    return values.compactMap { value in value.flatMap { try? decoder.decode(AuditEntry.self, from: Data($0.bytes)) } }
  }

  /// Removes the oldest entries beyond `keeping`.
  static func trim(zookeeper: ZooKeeper, keeping: Int) async throws {
    let names = try await zookeeper.children(root)
    guard names.count > keeping else { return }
    let oldest = names.compactMap { name in sequence(of: name).map { (name, $0) } }.sorted { $0.1 < $1.1 }
      .prefix(names.count - keeping)
    for (name, _) in oldest { try? await zookeeper.delete(root + "/" + name) }
  }

  /// The sequence number of an entry's name (`e0000000042` → 42).
  static func sequence(of name: String) -> Int? {
    guard name.hasPrefix("e"), name.count == 11 else { return nil }
    return Int(name.dropFirst())
  }
}
