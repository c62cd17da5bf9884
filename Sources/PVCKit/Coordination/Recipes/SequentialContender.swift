import Foundation

/// A place in a queue of ephemeral sequential nodes under one parent: the
/// mechanism shared by locks and leader elections.
///
/// Node names follow kazoo's lock recipes (`<uuid>__lock__<sequence>` and
/// `<uuid>__rlock__<sequence>`), so PVCKit and upstream PVC daemons exclude each
/// other on the same lock paths.
struct SequentialContender: Sendable {
  let client: ZooKeeper
  let parent: String
  let marker: String
  let token = UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()

  /// The sequence number at the end of a contender's node name.
  static func sequence(of name: String) -> Int? {
    guard name.count >= 10 else { return nil }
    return Int(name.suffix(10))
  }

  /// The ordered contenders under `parent`.
  static func ordered(_ names: [String]) -> [String] {
    names.filter { sequence(of: $0) != nil }.sorted { sequence(of: $0)! < sequence(of: $1)! }
  }

  func path(_ name: String) -> String { parent + "/" + name }

  /// Joins the queue; returns this contender's node name.
  ///
  /// After a connection loss the create may have happened unseen: the node is
  /// then looked for by this contender's unique token, and created again only
  /// if it is not there.
  func enter(data: [UInt8]) async throws -> String {
    try await client.ensurePath(parent)
    while true {
      do {
        let created = try await client.create(path(token + marker), data: data, mode: .ephemeralSequential)
        return String(created.split(separator: "/").last!)
      } catch let error as ZooKeeperError where error.code == .connectionLoss || error.code == .sessionExpired {
        if let mine = try await client.children(parent).first(where: { $0.hasPrefix(token) }) { return mine }
      }
    }
  }

  /// Leaves the queue (deletes the node if it still exists).
  func leave(_ name: String) async throws {
    do {
      try await client.delete(path(name))
    } catch let error as ZooKeeperError where error.code == .noNode {
      return
    }
  }

  /// Waits until no node accepted by `blocks` precedes `name`.
  ///
  /// Each wait watches only the nearest blocking predecessor, so one release
  /// wakes one waiter. Throws ``CoordinationError/Reason/lost`` if this
  /// contender's own node disappears and ``CoordinationError/Reason/timedOut``
  /// after `deadline`.
  func waitForTurn(
    _ name: String, deadline: ContinuousClock.Instant?, blocks: @escaping @Sendable (String) -> Bool
  ) async throws {
    while true {
      let queue = Self.ordered(try await client.children(parent))
      guard let mine = queue.firstIndex(of: name) else { throw CoordinationError(.lost, path: parent) }
      guard let predecessor = queue[..<mine].last(where: blocks) else { return }
      try await waitUntilGone(path(predecessor), deadline: deadline, own: path(name))
    }
  }

  /// Returns when `target` no longer exists; throws if `own` disappears first or the deadline passes.
  func waitUntilGone(_ target: String, deadline: ContinuousClock.Instant?, own: String) async throws {
    try await withThrowingTaskGroup(of: Bool.self) { group in
      group.addTask {
        for await value in client.watchData(target) where value == nil { return true }
        return false
      }
      group.addTask {
        for await value in client.watchData(own) where value == nil { throw CoordinationError(.lost, path: parent) }
        return false
      }
      if let deadline {
        group.addTask {
          try await Task.sleep(until: deadline)
          throw CoordinationError(.timedOut, path: parent)
        }
      }
      defer { group.cancelAll() }
      while let finished = try await group.next() {
        if finished { return }
      }
      throw ZooKeeperError(.closed, operation: "watch", path: target)
    }
  }
}
