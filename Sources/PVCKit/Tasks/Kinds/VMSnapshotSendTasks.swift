import Foundation

/// What a snapshot send, mirror or promotion is given (upstream's task arguments; the destination's key is kept
/// for the node that runs it and never shown, see ``ClusterTask/secretArguments``).
public struct VMSnapshotSendArguments: Codable, Sendable, Hashable {
  public var vm: String
  /// The snapshot to send (`nil` for mirrors, which take a new one).
  public var snapshot: String?
  public var destinationURI: String
  public var destinationKey: String
  public var verifySSL: Bool
  public var destinationPool: String?
  /// A snapshot both clusters have: only the changes since it are sent.
  public var incrementalParent: String?
  /// For promotions: remove the VM here once it runs there (otherwise it becomes the mirror).
  public var removeOnSource: Bool

  public init(
    vm: String, snapshot: String? = nil, destination: SnapshotDestination, incrementalParent: String? = nil,
    removeOnSource: Bool = false
  ) {
    self.vm = vm
    self.snapshot = snapshot
    destinationURI = destination.uri
    destinationKey = destination.key
    verifySSL = destination.verifySSL
    destinationPool = destination.pool
    self.incrementalParent = incrementalParent
    self.removeOnSource = removeOnSource
  }

  /// The destination.
  public var destination: SnapshotDestination {
    SnapshotDestination(uri: destinationURI, key: destinationKey, verifySSL: verifySSL, pool: destinationPool)
  }

  enum CodingKeys: String, CodingKey {
    case vm = "domain"
    case snapshot = "snapshot_name"
    case destinationURI = "destination_api_uri"
    case destinationKey = "destination_api_key"
    case verifySSL = "destination_api_verify_ssl"
    case destinationPool = "destination_storage_pool"
    case incrementalParent = "incremental_parent"
    case removeOnSource = "remove_on_source"
  }
}

/// Sends, mirrors and promotions run on the primary, which has the cluster's Ceph client.
extension TaskKind where Arguments == VMSnapshotSendArguments {
  public static func node(for arguments: Arguments, in placement: TaskPlacement) async throws -> String {
    try await placement.nodes.requirePrimary()
  }
}

/// What the send tasks share: the destination's view of the VM, and one send with its figure.
enum SnapshotSendWork {
  /// The VM on the destination, `nil` if it has none; refused unless it is a snapshot mirror.
  static func remoteMirror(_ name: String, on remote: PVCCluster) async throws -> VMInfo? {
    let there: VMInfo
    do {
      there = try await remote.vms.info(name)
    } catch VMError.notFound {
      return nil
    }
    guard there.state == .mirror else {
      throw TaskError.failed("the destination's VM \"\(name)\" exists and is not a snapshot mirror")
    }
    return there
  }

  /// The newest snapshot both sides have (by this side's time), for an incremental send.
  static func commonParent(_ info: VMInfo, _ there: VMInfo?) -> String? {
    let theirs = Set(there?.snapshots.map(\.name) ?? [])
    return info.snapshots.filter { theirs.contains($0.name) }.max {
      (Double($0.timestamp) ?? 0) < (Double($1.timestamp) ?? 0)
    }?.name
  }

  /// Sends the snapshot; returns the average rate for the message.
  static func send(
    _ info: VMInfo, _ snapshot: String, parent: String?, arguments: VMSnapshotSendArguments, remote: PVCCluster,
    there: VMInfo?, context: TaskContext
  ) async throws -> String {
    let started = ContinuousClock.now
    let sent = try await SnapshotSender(context: context, destination: arguments.destination).send(
      info, snapshot: try VMSnapshotWork.snapshot(snapshot, of: info), parent: parent, to: remote, remoteVM: there)
    let seconds = max(0.001, (ContinuousClock.now - started) / .seconds(1))
    return String(format: "average %.1f MB/s", Double(sent) / 1_000_000 / seconds)
  }

  /// A mirror snapshot's name: `mr` and the time (upstream's).
  static func mirrorName() -> String { "mr" + VMSnapshotWork.defaultName() }
}

/// `vm.send_snapshot`: one snapshot to another cluster, whole or as the changes since a snapshot both have.
public enum VMSnapshotSendTask: TaskKind {
  public typealias Arguments = VMSnapshotSendArguments
  public static let name = "vm.send_snapshot"

  public static func run(_ arguments: Arguments, context: TaskContext) async throws -> String {
    let info = try await context.vms.info(arguments.vm)
    let snapshot = try VMSnapshotWork.snapshot(try VMSnapshotWork.checked(arguments.snapshot ?? ""), of: info)
    if let parent = arguments.incrementalParent { _ = try VMSnapshotWork.snapshot(parent, of: info) }
    let remote = try await arguments.destination.connect()
    defer { Task { await remote.close() } }
    let there = try await SnapshotSendWork.remoteMirror(info.name, on: remote)
    if let there {
      guard !there.snapshots.contains(where: { $0.name == snapshot.name }) else {
        throw TaskError.failed("snapshot \(snapshot.name) already exists on the destination")
      }
      if let newest = there.snapshots.max(by: { (Double($0.timestamp) ?? 0) < (Double($1.timestamp) ?? 0) }),
        (Double(newest.timestamp) ?? 0) > (Double(snapshot.timestamp) ?? 0)
      {
        throw TaskError.failed("the destination has a newer snapshot (\(newest.name)); \(snapshot.name) is older")
      }
    }
    if let parent = arguments.incrementalParent, there?.snapshots.contains(where: { $0.name == parent }) != true {
      throw TaskError.failed("the destination has no snapshot \(parent) to send the changes since")
    }
    let rate = try await SnapshotSendWork.send(
      info, snapshot.name, parent: arguments.incrementalParent, arguments: arguments, remote: remote, there: there,
      context: context)
    return
      "Successfully sent snapshot '\(snapshot.name)' of VM '\(info.name)' to '\(arguments.destinationURI)' (\(rate))"
  }
}

/// `vm.create_mirror`: a new `mr<time>` snapshot sent to the destination, as the changes since the newest snapshot
/// both sides have when there is one; the copy there stays a stopped snapshot mirror.
public enum VMMirrorCreateTask: TaskKind {
  public typealias Arguments = VMSnapshotSendArguments
  public static let name = "vm.create_mirror"

  public static func run(_ arguments: Arguments, context: TaskContext) async throws -> String {
    let before = try await context.vms.info(arguments.vm)
    let remote = try await arguments.destination.connect()
    defer { Task { await remote.close() } }
    let there = try await SnapshotSendWork.remoteMirror(before.name, on: remote)
    let name = SnapshotSendWork.mirrorName()
    _ = try await VMSnapshotCreateTask.run(.init(vm: before.name, snapshot: name), context: context)
    let info = try await context.vms.info(before.uuid)
    let parent = SnapshotSendWork.commonParent(info, there)
    let rate = try await SnapshotSendWork.send(
      info, name, parent: parent, arguments: arguments, remote: remote, there: there, context: context)
    return "Successfully \(parent == nil ? "created" : "updated") mirror of VM '\(info.name)' (snapshot '\(name)') "
      + "on '\(arguments.destinationURI)' (\(rate))"
  }
}

/// `vm.promote_mirror`: the VM shut down here, a last `mr<time>` snapshot sent, the copy there started; this side
/// becomes the mirror (or is removed with its disks, with `remove_on_source`).
public enum VMMirrorPromoteTask: TaskKind {
  public typealias Arguments = VMSnapshotSendArguments
  public static let name = "vm.promote_mirror"

  public static func run(_ arguments: Arguments, context: TaskContext) async throws -> String {
    let before = try await context.vms.info(arguments.vm)
    let remote = try await arguments.destination.connect()
    defer { Task { await remote.close() } }
    let there = try await SnapshotSendWork.remoteMirror(before.name, on: remote)
    if [.start, .restart, .migrate, .migrateLive, .unmigrate].contains(before.state) {
      await context.update(current: 0, total: 3, status: "Shutting \(before.name) down")
      try await context.vms.setState(before.uuid, .shutdown, force: false, wait: true)
    }
    let name = SnapshotSendWork.mirrorName()
    _ = try await VMSnapshotCreateTask.run(.init(vm: before.name, snapshot: name), context: context)
    let info = try await context.vms.info(before.uuid)
    let parent = SnapshotSendWork.commonParent(info, there)
    let rate = try await SnapshotSendWork.send(
      info, name, parent: parent, arguments: arguments, remote: remote, there: there, context: context)
    await context.update(current: 2, total: 3, status: "Starting \(info.name) on the destination")
    try await remote.vms.setState(info.name, .start, force: true, wait: false)
    if arguments.removeOnSource {
      try await context.vms.remove(info.uuid, deleteDisks: true)
    } else {
      _ = try await context.zookeeper.set(try Layout.domain(info.uuid).path(.state), VMState.mirror.rawValue)
    }
    return "Successfully promoted VM '\(info.name)' (snapshot '\(name)') on '\(arguments.destinationURI)' (\(rate))"
  }
}
