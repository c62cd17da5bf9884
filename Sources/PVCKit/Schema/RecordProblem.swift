import Foundation
import Logging
import Synchronization

/// A record in ZooKeeper that PVCKit cannot use: where it is and what is wrong.
///
/// Whatever reads the cluster treats a bad record the same way: it reports it
/// (``RecordProblems/report(_:zookeeper:)``), leaves it out (a bad object) or
/// uses the key's default (a bad value), and carries on with everything else.
public struct RecordProblem: Sendable, Hashable, CustomStringConvertible {
  /// The ZooKeeper path of the bad node.
  public var path: String
  /// What is wrong with it.
  public var problem: String

  /// Creates a problem report.
  public init(path: String, problem: String) {
    self.path = path
    self.problem = problem
  }

  public var description: String { "\(path): \(problem)" }

  /// The id of the fault that reports it: `INVALID_RECORD_` and the path, made
  /// safe as one path component (at most 200 bytes).
  public var faultID: String {
    var id = "INVALID_RECORD"
    for scalar in path.unicodeScalars.prefix(160) {
      let safe =
        scalar.isASCII
        && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || "-.".unicodeScalars.contains(scalar))
      id.unicodeScalars.append(safe ? scalar : "_")
    }
    return id
  }
}

/// Reports records PVCKit cannot use: each problem is logged and raised as a
/// cluster fault once per process (not on every read), so that an
/// administrator sees it in `pvc cluster fault list` while every loop that came
/// across it goes on serving the rest of the cluster.
public enum RecordProblems {
  static let logger = Logger(label: "pvckit.records")
  /// A problem in one cluster (clients of different chroots see different trees).
  private struct Seen: Hashable {
    var cluster: String
    var problem: RecordProblem
  }
  /// The problems already reported by this process.
  private static let reported = Mutex<Set<Seen>>([])
  /// How much a bad record lowers the cluster's health.
  public static let healthDelta = 10

  /// Logs and raises the problems not reported before. Never throws: a fault
  /// that cannot be written is logged and tried again at the next report.
  public static func report(_ problems: [RecordProblem], zookeeper: ZooKeeper) async {
    guard !problems.isEmpty else { return }
    let keys = Set(problems.map { Seen(cluster: zookeeper.hosts, problem: $0) })
    let fresh = reported.withLock { seen in
      let fresh = keys.subtracting(seen)
      if seen.count + fresh.count > 10_000 { seen.removeAll() }
      seen.formUnion(fresh)
      return fresh
    }
    let new = fresh.map(\.problem).sorted { $0.path < $1.path }
    guard !new.isEmpty else { return }
    for problem in new { logger.error("bad record \(problem.path): \(problem.problem)") }
    let faults = new.map {
      FaultReport(
        id: $0.faultID, healthDelta: healthDelta,
        message: "The record \($0.path) cannot be used and is skipped: \($0.problem)")
    }
    do {
      try await DirectFaultOperations(zookeeper: zookeeper).report(faults)
    } catch {
      logger.warning("cannot raise faults for bad records: \(error)")
      reported.withLock { $0.subtract(fresh) }
    }
  }
}

extension Layout {
  /// The objects (references or paths) named under a collection (`/nodes`,
  /// `/faults`...), leaving out the names that cannot be objects of the kind,
  /// each reported as a problem.
  static func refs<Ref>(_ names: [String], under parent: String, _ make: (String) throws -> Ref) -> (
    names: [String], refs: [Ref], problems: [RecordProblem]
  ) {
    var valid: [String] = []
    var refs: [Ref] = []
    var problems: [RecordProblem] = []
    for name in names {
      do {
        refs.append(try make(name))
        valid.append(name)
      } catch {
        problems.append(RecordProblem(path: parent + "/" + name, problem: "\(error)"))
      }
    }
    return (valid, refs, problems)
  }

  /// The VMs named under `/domains`: only UUIDs are VMs; every other name is reported.
  static func domainRefs(_ uuids: [String]) -> (
    uuids: [String], refs: [ObjectRef<DomainKey>], problems: [RecordProblem]
  ) {
    let checked = refs(uuids, under: base.path(.domains)) { uuid in
      guard VMName.canonicalUUID(uuid) != nil else { throw SchemaError("'\(ValueKind.shown(uuid))' is not a VM UUID") }
      return try domain(uuid)
    }
    return (checked.names, checked.refs, checked.problems)
  }
}
