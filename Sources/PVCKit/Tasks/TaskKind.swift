public import Foundation

/// A kind of task: its arguments as a typed value, the node whose daemon
/// carries it out, and what it does there. Adding a kind is one file under
/// `Tasks/Kinds/` and one line in ``TaskKinds/all``; the API, the HTTP client
/// and the CLI reach it through the operations that queue it.
public protocol TaskKind: Sendable {
  /// What the task needs, stored in its record as a JSON object.
  associatedtype Arguments: Codable & Sendable & Hashable
  /// The task's name in records and the API (`vm.migrate`).
  static var name: String { get }
  /// The node whose daemon should carry the task out.
  static func node(for arguments: Arguments, in placement: TaskPlacement) async throws -> String
  /// Carries the task out on its node; returns the result for people.
  static func run(_ arguments: Arguments, context: TaskContext) async throws -> String
  /// Whether a request may cancel the task while it runs (its `run` then sees Swift task cancellation and
  /// undoes what it made). No by default.
  static var isCancellable: Bool { get }
  /// How many tasks of this kind one node carries out at once (the rest wait for a place, polling);
  /// `nil`: no limit.
  static var concurrencyLimit: Int? { get }
}

extension TaskKind {
  public static var isCancellable: Bool { false }
  public static var concurrencyLimit: Int? { nil }
}

/// What deciding where a task runs may read: the cluster's VMs and nodes,
/// through whichever transport queued it.
public struct TaskPlacement: Sendable {
  let vms: any VMOperations
  let nodes: any NodeOperations
  var storage: (any StorageOperations)? = nil

  /// The node to run a VM's task on: the VM's own when its daemon runs,
  /// otherwise the primary coordinator.
  /// - Throws: ``TaskError/nodeUnavailable(node:reason:)`` when neither can.
  public func nodeForVM(_ vm: String) async throws -> String {
    let node = try await vms.info(vm).node
    if !node.isEmpty, let info = try? await nodes.info(node), info.daemonState == .run { return node }
    guard let primary = try await nodes.primary() else {
      throw TaskError.nodeUnavailable(
        node: node.isEmpty ? "(none)" : node, reason: "the VM's node is not running and there is no primary")
    }
    return primary
  }
}

extension NodeOperations {
  /// The primary coordinator's name, for work that runs there.
  /// - Throws: ``TaskError/nodeUnavailable(node:reason:)`` when there is none.
  func requirePrimary() async throws -> String {
    guard let primary = try await primary() else {
      throw TaskError.nodeUnavailable(node: "(primary)", reason: "there is no primary coordinator")
    }
    return primary
  }
}

/// What a running task may use on its node.
public struct TaskContext: Sendable {
  let zookeeper: ZooKeeper
  /// The node carrying the task out.
  public let node: String
  let progress: TaskProgress
  /// The node's storage agent, when the node has storage on.
  var storage: NodeStorage? = nil
  /// The node's libvirt daemon, for tasks that act on running VMs (hot-plug).
  var libvirt: LibvirtConnection? = nil
  /// Another node's libvirt URI (for work on a VM that runs elsewhere: freezing its filesystems).
  var peerLibvirtURI: (@Sendable (String) -> String)? = nil
  /// The provisioner's database, when the node has one configured (`database.mariadb.api`).
  var provisioner: ProvisionerLink? = nil
  /// Where tasks keep scratch files (the provisioner's scripts).
  var scratchDirectory = "/run/pvc/tasks"
  /// Which VM definitions the cluster accepts (pvc.conf's `vm_policy` on the task's node).
  var policy = DomainPolicy.strict
  /// pvc.conf's `autobackup` and `automirror` on the task's node.
  var automation = TaskAutomation()

  /// VM operations that wait in place (a task never queues another to wait), under the cluster's VM policy.
  var vms: DirectVMOperations {
    var operations = DirectVMOperations(zookeeper: zookeeper, waitsThroughTasks: false)
    operations.policy = policy
    return operations
  }
  var nodes: DirectNodeOperations { DirectNodeOperations(zookeeper: zookeeper, waitsThroughTasks: false) }

  /// The node's storage agent, or a failure saying the node has no storage.
  func requireStorage() throws -> NodeStorage {
    guard let storage else {
      throw TaskError.failed("node \(node) has no storage configured (subsystem.enable_storage)")
    }
    return storage
  }

  /// The node's libvirt daemon, or a failure saying the task cannot reach it.
  func requireLibvirt() throws -> LibvirtConnection {
    guard let libvirt else { throw TaskError.failed("node \(node) has no libvirt connection for tasks") }
    return libvirt
  }

  /// The libvirt daemon of `node`: this node's own connection, or a new one to a peer (which the caller closes
  /// when `opened` is true).
  func libvirt(on node: String) async throws -> (connection: LibvirtConnection, opened: Bool) {
    if node == self.node { return (try requireLibvirt(), false) }
    guard let peerLibvirtURI else { throw TaskError.failed("node \(self.node) cannot reach the libvirt of \(node)") }
    return (try await LibvirtConnection.open(peerLibvirtURI(node)), true)
  }

  /// The provisioner's database, or a failure saying the node has none.
  func requireProvisioner() throws -> ProvisionerLink {
    guard let provisioner else {
      throw TaskError.failed("node \(node) has no provisioner database configured (database.mariadb.api)")
    }
    return provisioner
  }

  /// Storage operations through the node's Ceph client.
  func directStorage() throws -> DirectStorageOperations {
    DirectStorageOperations(zookeeper: zookeeper, ceph: try requireStorage().ceph)
  }

  /// Records how far the task has come.
  public func update(current: Int, total: Int, status: String) async {
    await progress.update(current: current, total: total, status: status)
  }
}

/// What the automatic backup and mirror tasks do (pvc.conf's `autobackup` and `automirror` on the node that runs
/// them, the primary).
public struct TaskAutomation: Sendable, Hashable {
  public var autobackup: PVCConfiguration.Autobackup?
  public var automirror: PVCConfiguration.Automirror?

  public init(autobackup: PVCConfiguration.Autobackup? = nil, automirror: PVCConfiguration.Automirror? = nil) {
    self.autobackup = autobackup
    self.automirror = automirror
  }
}

/// Every kind of task this release carries out.
public enum TaskKinds {
  /// The kinds, each once.
  public static let all: [any TaskKind.Type] = [
    NodeFlushTask.self, NodeReadyTask.self, VMMigrateTask.self, VMMoveTask.self, VMUnmigrateTask.self,
    VMStateTask.self, VMFlushLocksTask.self, VMDeviceAttachTask.self, VMDeviceDetachTask.self,
    StorageBenchmarkTask.self, StorageOSDAddTask.self,
    StorageOSDRemoveTask.self, StorageOSDReplaceTask.self, StorageOSDRefreshTask.self, StorageOSDDatabaseVGTask.self,
    ProvisionerCreateTask.self, VMSnapshotCreateTask.self, VMSnapshotRemoveTask.self, VMSnapshotRollbackTask.self,
    VMSnapshotExportTask.self, VMSnapshotImportTask.self, VMSnapshotSendTask.self, VMMirrorCreateTask.self,
    VMMirrorPromoteTask.self, VMBackupTask.self, VMBackupRemoveTask.self, VMBackupRestoreTask.self,
    ClusterAutobackupTask.self, ClusterAutomirrorTask.self,
  ]

  /// The kind called `name`, if any.
  public static func kind(named name: String) -> (any TaskKind.Type)? {
    all.first { $0.name == name }
  }

  /// Carries out a task record on this node: its kind found by name, its
  /// arguments decoded into that kind's type.
  /// - Throws: ``TaskError/unknownKind(_:)`` or ``TaskError/invalidArguments(task:reason:)``
  ///   for a record this release cannot run, else whatever the task throws.
  static func run(_ task: ClusterTask, context: TaskContext) async throws -> String {
    guard let kind = kind(named: task.name) else { throw TaskError.unknownKind(task.name) }
    return try await run(kind, task, context: context)
  }

  private static func run<Kind: TaskKind>(_ kind: Kind.Type, _ task: ClusterTask, context: TaskContext) async throws
    -> String
  {
    try await Kind.run(
      try TaskArguments.decode(Kind.Arguments.self, from: task.arguments, task: task.name), context: context)
  }
}

/// Typed arguments to and from a task record's JSON object.
enum TaskArguments {
  static func encode<Arguments: Encodable>(_ arguments: Arguments) throws -> [String: JSONValue] {
    let data = try UpstreamJSON.encode(arguments)
    guard case .object(let object) = try JSONValue(parsing: String(decoding: data, as: UTF8.self)) else {
      throw TaskError.invalidArguments(task: "\(Arguments.self)", reason: "they do not encode as a JSON object")
    }
    return object
  }

  static func decode<Arguments: Decodable>(_ type: Arguments.Type, from object: [String: JSONValue], task: String)
    throws -> Arguments
  {
    do {
      return try UpstreamJSON.decode(type, from: UpstreamJSON.encode(object))
    } catch let DecodingError.keyNotFound(key, _) {
      throw TaskError.invalidArguments(task: task, reason: "'\(key.stringValue)' is missing")
    } catch let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context) {
      let key = context.codingPath.map(\.stringValue).joined(separator: ".")
      throw TaskError.invalidArguments(task: task, reason: "'\(key)' has the wrong type")
    } catch let DecodingError.dataCorrupted(context) {
      let key = context.codingPath.map(\.stringValue).joined(separator: ".")
      throw TaskError.invalidArguments(task: task, reason: "'\(key)': \(context.debugDescription)")
    }
  }
}

extension TaskOperations {
  /// Queues a task of `kind` for the daemon of `node`.
  public func submit<Kind: TaskKind>(_ kind: Kind.Type, _ arguments: Kind.Arguments, runOn node: String)
    async throws -> ClusterTask
  {
    try await submit(Kind.name, runOn: node, arguments: try TaskArguments.encode(arguments))
  }
}

extension PVCCluster {
  /// Queues a task of `kind` on the node its kind chooses.
  public func queue<Kind: TaskKind>(_ kind: Kind.Type, _ arguments: Kind.Arguments) async throws -> ClusterTask {
    let node = try await Kind.node(for: arguments, in: TaskPlacement(vms: vms, nodes: nodes, storage: storage))
    return try await tasks.submit(kind, arguments, runOn: node)
  }

  /// Runs a task of `kind` on the node its kind chooses and waits for its end.
  /// - Returns: its result, for people.
  /// - Throws: ``TaskError/failed(_:)`` or ``TaskError/timedOut(id:)`` (see ``TaskOperations/perform(_:_:runOn:timeout:)``).
  public func perform<Kind: TaskKind>(
    _ kind: Kind.Type, _ arguments: Kind.Arguments, timeout: Duration = .seconds(3600)
  )
    async throws -> String
  {
    let node = try await Kind.node(for: arguments, in: TaskPlacement(vms: vms, nodes: nodes, storage: storage))
    return try await tasks.perform(kind, arguments, runOn: node, timeout: timeout)
  }
}

extension TaskOperations {
  /// Queues a task of `kind` on `node` and waits for its end.
  /// - Returns: its result, for people.
  /// - Throws: ``TaskError/failed(_:)`` with its reason if it failed,
  ///   ``TaskError/timedOut(id:)`` if it had not finished within `timeout`.
  public func perform<Kind: TaskKind>(
    _ kind: Kind.Type, _ arguments: Kind.Arguments, runOn node: String, timeout: Duration = .seconds(3600)
  ) async throws -> String {
    let task = try await submit(kind, arguments, runOn: node)
    let finished = try await wait(for: task.id, timeout: timeout)
    switch finished.state {
    case .success: return finished.status
    case .failure: throw TaskError.failed(finished.status)
    case .pending, .running: throw TaskError.timedOut(id: task.id)
    }
  }
}
