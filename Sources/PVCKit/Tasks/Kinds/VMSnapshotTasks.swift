import Foundation

/// What a whole-VM snapshot task is given: the VM and the snapshot's name.
public struct VMSnapshotArguments: Codable, Sendable, Hashable {
  public var vm: String
  /// The snapshot's name (for a new snapshot, `nil` takes the time, upstream's `%Y%m%d%H%M%S`).
  public var snapshot: String?

  public init(vm: String, snapshot: String? = nil) {
    self.vm = vm
    self.snapshot = snapshot
  }

  enum CodingKeys: String, CodingKey {
    case vm = "domain"
    case snapshot = "snapshot_name"
  }
}

/// The snapshot tasks run on the primary, which has the cluster's Ceph client.
extension TaskKind where Arguments == VMSnapshotArguments {
  public static func node(for arguments: Arguments, in placement: TaskPlacement) async throws -> String {
    try await placement.nodes.requirePrimary()
  }
}

/// Helpers the snapshot tasks share: the VM's RBD disks and the snapshot's record are found the same way.
enum VMSnapshotWork {
  /// A snapshot name as upstream makes one: the time, `%Y%m%d%H%M%S` in UTC.
  static func defaultName(at date: Date = Date()) -> String {
    let formatter = DateFormatter()
    formatter.locale = Locale(identifier: "en_US_POSIX")
    formatter.timeZone = TimeZone(identifier: "UTC")
    formatter.dateFormat = "yyyyMMddHHmmss"
    return formatter.string(from: date)
  }

  /// A snapshot name PVC can use in ZooKeeper and RBD.
  static func checked(_ name: String) throws -> String {
    try RBDPool.check(name, "snapshot")
    _ = try Layout.domainSnapshot(name, domain: "check")
    return name
  }

  /// The VM's RBD disks as `(pool, volume)`.
  static func disks(_ info: VMInfo) throws -> [(pool: String, volume: String)] {
    try info.disks.filter { $0.type == "rbd" }.map { disk in
      let parts = disk.name.split(separator: "/", maxSplits: 1).map(String.init)
      guard parts.count == 2 else { throw TaskError.failed("disk \(disk.name) of VM \(info.name) is not pool/volume") }
      return (parts[0], parts[1])
    }
  }

  /// The snapshot of the VM named `name`, or a failure saying it has none.
  static func snapshot(_ name: String, of info: VMInfo) throws -> VMSnapshot {
    guard let snapshot = info.snapshots.first(where: { $0.name == name }) else {
      throw TaskError.failed("VM \"\(info.name)\" has no snapshot \"\(name)\"")
    }
    return snapshot
  }

  /// Writes the record of a whole-VM snapshot (`/domains/<uuid>/snapshots/<name>`): when, the definition, and
  /// its RBD snapshots (`disks` are `pool/volume`).
  static func record(_ name: String, of uuid: String, xml: String, disks: [String], in zookeeper: ZooKeeper)
    async throws
  {
    let ref = try Layout.domainSnapshot(name, domain: uuid)
    _ = try await zookeeper.multi([
      .create(ref.path(.root), name),
      .create(ref.path(.timestamp), String(format: "%.6f", Date().timeIntervalSince1970)),
      .create(ref.path(.xml), xml),
      .create(ref.path(.rbdSnapshots), disks.map { "\($0)@\(name)" }.joined(separator: ",")),
    ])
  }

  /// The VM's detail as upstream's `GET /vm` gives it, with the definition the snapshot keeps.
  static func detail(_ info: VMInfo, at snapshot: String, context: TaskContext) async throws -> JSONValue {
    var detail = info
    let xml = try await context.zookeeper.string(try Layout.domainSnapshot(snapshot, domain: info.uuid).path(.xml))
    if let xml, !xml.isEmpty { detail.xml = xml }
    return try JSONDecoder().decode(JSONValue.self, from: JSONEncoder().encode(detail))
  }

  /// rbd itself, with the node's Ceph access, for files in rbd's export formats.
  static func rbdTool(_ context: TaskContext) throws -> RBDTool {
    guard let access = try context.requireStorage().ceph.access else { throw StorageError.noCephAccess }
    return RBDTool(access: access)
  }

  /// `pool/volume@snapshot` split into its parts.
  static func parts(_ text: String) -> (pool: String, volume: String, snapshot: String)? {
    guard let at = text.lastIndex(of: "@"), let slash = text[..<at].firstIndex(of: "/") else { return nil }
    return (String(text[..<slash]), String(text[text.index(after: slash)..<at]), String(text[text.index(after: at)...]))
  }
}

/// `vm.create_snapshot`: an RBD snapshot of every disk of the VM, one after another, and the VM's definition,
/// recorded under `/domains/<uuid>/snapshots/<name>` as upstream. A running VM with a guest agent has its
/// filesystems frozen across all its disks' snapshots (one point in time); without one each disk is
/// crash-consistent on its own, and the result says which ( ``GuestFreeze`` ). A disk that fails removes the
/// snapshots already made.
public enum VMSnapshotCreateTask: TaskKind {
  public typealias Arguments = VMSnapshotArguments
  public static let name = "vm.create_snapshot"

  public static func run(_ arguments: Arguments, context: TaskContext) async throws -> String {
    let info = try await context.vms.info(arguments.vm)
    let name = try VMSnapshotWork.checked(arguments.snapshot ?? VMSnapshotWork.defaultName())
    guard !info.snapshots.contains(where: { $0.name == name }) else {
      throw TaskError.failed("VM \"\(info.name)\" already has a snapshot \"\(name)\"")
    }
    let disks = try VMSnapshotWork.disks(info)
    let storage = try context.directStorage()
    await context.update(current: 0, total: disks.count + 1, status: "Taking snapshots of \(disks.count) disks")
    var made: [(pool: String, volume: String)] = []
    let consistency: GuestFreeze.Consistency
    do {
      (_, consistency) = try await GuestFreeze.around(info, context: context) {
        for (index, disk) in disks.enumerated() {
          try await storage.addSnapshot(name, volume: disk.volume, pool: disk.pool)
          made.append(disk)
          await context.update(
            current: index + 1, total: disks.count + 1, status: "Took \(disk.pool)/\(disk.volume)@\(name)")
        }
      }
      try await VMSnapshotWork.record(
        name, of: info.uuid, xml: info.xml, disks: made.map { "\($0.pool)/\($0.volume)" },
        in: context.zookeeper)
    } catch {
      for disk in made { try? await storage.removeSnapshot(name, volume: disk.volume, pool: disk.pool) }
      throw error
    }
    return "Successfully created snapshot '\(name)' of VM '\(info.name)' (\(consistency.description))"
  }
}

/// `vm.remove_snapshot`: the snapshot's RBD snapshots (those already gone are skipped) and its record.
public enum VMSnapshotRemoveTask: TaskKind {
  public typealias Arguments = VMSnapshotArguments
  public static let name = "vm.remove_snapshot"

  public static func run(_ arguments: Arguments, context: TaskContext) async throws -> String {
    let info = try await context.vms.info(arguments.vm)
    let snapshot = try VMSnapshotWork.snapshot(arguments.snapshot ?? "", of: info)
    let storage = try context.directStorage()
    for text in snapshot.rbdSnapshots {
      guard let (pool, volume, name) = VMSnapshotWork.parts(text) else { continue }
      do {
        try await storage.removeSnapshot(name, volume: volume, pool: pool)
      } catch StorageError.snapshotNotFound, StorageError.volumeNotFound {
        // Gone already.
      }
    }
    try await context.zookeeper.deleteRecursively(
      try Layout.domainSnapshot(snapshot.name, domain: info.uuid).path(.root))
    return "Successfully removed snapshot '\(snapshot.name)' of VM '\(info.name)'"
  }
}

/// `vm.rollback_snapshot`: every disk back to the snapshot and the VM's definition back to the snapshot's, for a
/// VM that is stopped, disabled or a mirror (upstream's rule).
public enum VMSnapshotRollbackTask: TaskKind {
  public typealias Arguments = VMSnapshotArguments
  public static let name = "vm.rollback_snapshot"

  public static func run(_ arguments: Arguments, context: TaskContext) async throws -> String {
    let info = try await context.vms.info(arguments.vm)
    guard [.stop, .disable, .mirror].contains(info.state) else {
      throw TaskError.failed("VM \"\(info.name)\" is \(info.state.rawValue); stop or disable it before rolling back")
    }
    let snapshot = try VMSnapshotWork.snapshot(arguments.snapshot ?? "", of: info)
    let storage = try context.directStorage()
    for text in snapshot.rbdSnapshots {
      guard let (pool, volume, name) = VMSnapshotWork.parts(text) else { continue }
      try await storage.rollbackSnapshot(name, volume: volume, pool: pool)
    }
    let ref = try Layout.domainSnapshot(snapshot.name, domain: info.uuid)
    if let xml = try await context.zookeeper.string(ref.path(.xml)), !xml.isEmpty, xml != info.xml {
      try await context.vms.modify(info.name, xml: xml, restart: false)
    }
    return "Successfully rolled back to snapshot '\(snapshot.name)' of VM '\(info.name)'"
  }
}
