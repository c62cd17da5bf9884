/// A VM's placement as read for a decision: its state, node and last node, with
/// the versions the decision's writes are checked against.
struct VMPlacement: Sendable {
  var uuid: String
  var ref: ObjectRef<DomainKey>
  var state: VMState
  var node: String
  var lastNode: String
  var autostart: Bool
  var versions: (state: Int32, node: Int32, lastNode: Int32)
}

/// Every write that changes where a VM runs or what state it should be in goes
/// through here: it is decided on the values read, and written only if none of
/// them changed since (`check` of their versions in the same transaction). On a
/// conflict (a user's migrate, another flush, a recovery won the race) the VM is
/// read again and the decision made again on what is there now, so a newer
/// request is never overwritten by a decision taken on older data.
struct ConditionalPlacement: Sendable {
  let zookeeper: ZooKeeper

  /// How many times a decision is made again after conflicts before giving up.
  static let attempts = 8

  /// Reads a VM's placement (`nil` if the VM is gone).
  func read(_ uuid: String) async throws -> VMPlacement? {
    let ref = try Layout.domain(uuid)
    let keys: [DomainKey] = [.state, .node, .lastNode, .autostart]
    let values = try await zookeeper.getMany(keys.map { ref.path($0) })
    guard let state = values[0], let node = values[1] else { return nil }
    return VMPlacement(
      uuid: uuid, ref: ref, state: VMState(rawValue: state.string), node: node.string,
      lastNode: values[2]?.string ?? "", autostart: values[3]?.string.lowercased() == "true",
      versions: (state.stat.version, node.stat.version, values[2]?.stat.version ?? -1))
  }

  /// What a decision writes: new values of the VM's keys (`nil`: nothing to do).
  struct Change: Sendable {
    var state: VMState?
    var node: String?
    var lastNode: String?
    var autostart: Bool?
  }

  /// Decides and writes a VM's change, deciding again after each conflict.
  /// - Parameter decide: what to do given the VM as it is now; `nil` for nothing
  ///   (the VM moved on, say); it may throw to refuse.
  /// - Returns: the change written, or `nil` if there was nothing to do (or the VM is gone).
  /// - Throws: ``VMError/conflict(vm:)`` if every attempt lost a race.
  @discardableResult
  func apply(_ uuid: String, name: String, decide: (VMPlacement) async throws -> Change?) async throws -> Change? {
    for _ in 0..<Self.attempts {
      guard let current = try await read(uuid), let change = try await decide(current) else { return nil }
      let ref = current.ref
      var operations: [ZooKeeperOperation] = [
        .check(path: ref.path(.state), version: current.versions.state),
        .check(path: ref.path(.node), version: current.versions.node),
      ]
      if current.versions.lastNode >= 0 {
        operations.append(.check(path: ref.path(.lastNode), version: current.versions.lastNode))
      }
      if let state = change.state { operations.append(.set(ref.path(.state), state.rawValue)) }
      if let node = change.node { operations.append(.set(ref.path(.node), node)) }
      if let lastNode = change.lastNode { operations.append(.set(ref.path(.lastNode), lastNode)) }
      if let autostart = change.autostart {
        operations.append(.set(ref.path(.autostart), autostart ? "True" : "False"))
      }
      do {
        try await zookeeper.multi(operations)
        return change
      } catch let error as ZooKeeperError where error.code == .badVersion || error.code == .noNode {
        continue  // someone changed the VM meanwhile: decide again on what is there now
      }
    }
    throw VMError.conflict(vm: name)
  }
}
