import Foundation

/// Fault operations performed directly on ZooKeeper.
struct DirectFaultOperations: FaultOperations {
  let zookeeper: ZooKeeper
  /// The connection's watch-fed views, once it is followed.
  var views: ViewSlot?

  func list(sortedBy key: FaultSortKey) async throws -> [Fault] {
    let reads: any ClusterReads = views?.view?.reads ?? zookeeper
    let parent = Layout.base.path(.faults)
    let checked = Layout.refs(try await reads.childrenMany([parent])[0] ?? [], under: parent, Layout.fault)
    let records = try await reads.records(checked.refs)
    await RecordProblems.report(checked.problems + records.flatMap(\.problems), zookeeper: zookeeper)
    let faults = zip(checked.names, records).filter { $1[.status] != nil }.map { Fault(id: $0, record: $1) }
    return faults.sorted { a, b in
      switch key {
      case .firstReported: (a.firstReported, a.id) > (b.firstReported, b.id)
      case .lastReported: (a.lastReported, a.id) > (b.lastReported, b.id)
      case .acknowledgedAt: (a.acknowledgedAt, a.id) > (b.acknowledgedAt, b.id)
      case .healthDelta: (a.healthDelta, a.id) > (b.healthDelta, b.id)
      case .status: (a.status, a.id) < (b.status, b.id)
      case .message: (a.message, a.id) < (b.message, b.id)
      }
    }
  }

  func fault(_ id: String) async throws -> Fault {
    guard let ref = try? Layout.fault(id) else { throw FaultError.notFound(id) }
    let record = try await zookeeper.record(ref)
    guard record[.status] != nil else { throw FaultError.notFound(id) }
    return Fault(id: id, record: record)
  }

  func acknowledge(_ ids: [String]) async throws {
    let refs = try await existing(ids)
    let now = FaultTime.format(Date())
    try await zookeeper.multi(refs.flatMap { [.set($0.path(.status), "ack"), .set($0.path(.ackTime), now)] })
  }

  func acknowledgeAll() async throws {
    try await acknowledge(try await validIDs())
  }

  func delete(_ ids: [String]) async throws {
    for ref in try await existing(ids) { try await zookeeper.deleteRecursively(ref.basePath) }
  }

  func deleteAll() async throws {
    try await delete(try await validIDs())
  }

  func report(_ reports: [FaultReport]) async throws {
    guard !reports.isEmpty else { return }
    let refs = try reports.map { try Layout.fault($0.id) }
    let present = try await zookeeper.existsMany(refs.map { $0.path(.status) })
    var operations: [ZooKeeperOperation] = []
    var creations: [(FaultReport, ObjectRef<FaultKey>)] = []
    for (report, (ref, stat)) in zip(reports, zip(refs, present)) {
      let time = FaultTime.format(report.time)
      if stat == nil {
        creations.append((report, ref))
      } else {
        operations += [
          .set(ref.path(.lastTime), time), .set(ref.path(.delta), String(report.healthDelta)),
          .set(ref.path(.message), report.message),
        ]
      }
    }
    if !operations.isEmpty { try await zookeeper.multi(operations) }
    for (report, ref) in creations {
      do {
        try await zookeeper.multi(Self.creation(report, ref))
      } catch let error as ZooKeeperError where error.code == .nodeExists {
        try await self.report([report])  // raised meanwhile by someone else: refresh it
      }
    }
  }

  /// The operations creating a new fault (its root first, then every key).
  static func creation(_ report: FaultReport, _ ref: ObjectRef<FaultKey>) -> [ZooKeeperOperation] {
    let time = FaultTime.format(report.time)
    let values: [FaultKey: String] = [
      .root: "", .firstTime: time, .lastTime: time, .ackTime: "", .status: "new",
      .delta: String(report.healthDelta), .message: report.message,
    ]
    return FaultKey.allCases.map { .create(ref.path($0), values[$0] ?? "") }
  }

  /// The ids of every fault (children that cannot be faults are left out).
  private func validIDs() async throws -> [String] {
    try await zookeeper.children(Layout.base.path(.faults)).filter { (try? Layout.fault($0)) != nil }
  }

  /// The references of faults that exist, or an error naming the first that does not.
  private func existing(_ ids: [String]) async throws -> [ObjectRef<FaultKey>] {
    var refs: [ObjectRef<FaultKey>] = []
    for id in ids {
      guard let ref = try? Layout.fault(id) else { throw FaultError.notFound(id) }
      refs.append(ref)
    }
    let present = try await zookeeper.existsMany(refs.map { $0.path(.status) })
    if let missing = zip(ids, present).first(where: { $0.1 == nil }) { throw FaultError.notFound(missing.0) }
    return refs
  }
}
