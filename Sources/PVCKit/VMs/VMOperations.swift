/// What a new VM is made of: its libvirt definition and PVC metadata.
public struct VMDefinition: Sendable, Hashable {
  /// The libvirt domain XML (name and UUID inside).
  public var xml: String
  /// The node to put it on; `nil` lets the selector choose.
  public var node: String?
  /// The nodes it may run on; empty for any.
  public var nodeLimit: [String]
  /// How its migration targets are chosen.
  public var nodeSelector: NodeSelector
  /// Start it on its node at the next unflush.
  public var autostart: Bool
  /// How it migrates.
  public var migrationMethod: MigrationMethod
  /// Longest pause at the end of a live migration, in ms.
  public var migrationMaxDowntime: Int
  public var tags: [VMTag]
  /// The provisioner profile it came from.
  public var profile: String?
  /// Its state after definition (`stop`; `start` to start it at once).
  public var initialState: VMState

  /// Creates a definition with upstream's defaults.
  public init(
    xml: String, node: String? = nil, nodeLimit: [String] = [], nodeSelector: NodeSelector = .none,
    autostart: Bool = false, migrationMethod: MigrationMethod = .none, migrationMaxDowntime: Int = 300,
    tags: [VMTag] = [], profile: String? = nil, initialState: VMState = .stop
  ) {
    self.xml = xml
    self.node = node
    self.nodeLimit = nodeLimit
    self.nodeSelector = nodeSelector
    self.autostart = autostart
    self.migrationMethod = migrationMethod
    self.migrationMaxDowntime = migrationMaxDowntime
    self.tags = tags
    self.profile = profile
    self.initialState = initialState
  }
}

/// Changes to a VM's PVC metadata; `nil` fields are left as they are.
public struct VMMetadataChange: Sendable, Hashable {
  public var nodeLimit: [String]?
  public var nodeSelector: NodeSelector?
  public var autostart: Bool?
  public var profile: String?
  public var migrationMethod: MigrationMethod?
  public var migrationMaxDowntime: Int?

  /// Creates a change.
  public init(
    nodeLimit: [String]? = nil, nodeSelector: NodeSelector? = nil, autostart: Bool? = nil, profile: String? = nil,
    migrationMethod: MigrationMethod? = nil, migrationMaxDowntime: Int? = nil
  ) {
    self.nodeLimit = nodeLimit
    self.nodeSelector = nodeSelector
    self.autostart = autostart
    self.profile = profile
    self.migrationMethod = migrationMethod
    self.migrationMaxDowntime = migrationMaxDowntime
  }

  var isEmpty: Bool {
    nodeLimit == nil && nodeSelector == nil && autostart == nil && profile == nil && migrationMethod == nil
      && migrationMaxDowntime == nil
  }
}

/// A state a user asks a VM to go to.
public enum VMStateRequest: String, Sendable, Hashable, CaseIterable, Codable {
  case start, shutdown, stop, restart, disable
}

/// What a migration request did.
public enum VMMigrationOutcome: Sendable, Hashable {
  /// The VM is moving (or, if stopped, was reassigned) to this node.
  case moving(to: String)
  /// A temporary migration was made permanent; nothing moved.
  case madePermanent(node: String)
}

/// The VM operations, implemented once per way of reaching a cluster.
public protocol VMOperations: Sendable {
  /// VMs matching a filter, sorted by name.
  func list(_ filter: VMFilter) async throws -> [VMInfo]
  /// One VM, by name or UUID.
  func info(_ vm: String) async throws -> VMInfo
  /// Adds a VM. Returns its UUID and name.
  func define(_ definition: VMDefinition) async throws -> (uuid: String, name: String)
  /// Replaces a VM's libvirt definition (same UUID); restarts it if asked and running.
  func modify(_ vm: String, xml: String, restart: Bool) async throws
  /// Renames a stopped VM.
  func rename(_ vm: String, to newName: String) async throws
  /// Stops a VM and removes it from the cluster (its disks stay).
  func undefine(_ vm: String) async throws
  /// Stops a VM and removes it and, when asked, its disks.
  func remove(_ vm: String, deleteDisks: Bool) async throws
  /// Requests a state. `force` applies to snapshot mirrors and to disable
  /// (stop instead of shut down); `wait` waits for restart and shutdown to end.
  func setState(_ vm: String, _ request: VMStateRequest, force: Bool, wait: Bool) async throws
  /// Migrates temporarily (remembering the node it leaves).
  func migrate(_ vm: String, to node: String?, force: Bool, forceLive: Bool, wait: Bool) async throws
    -> VMMigrationOutcome
  /// Moves back to the node it was migrated from.
  func unmigrate(_ vm: String, forceLive: Bool, wait: Bool) async throws -> VMMigrationOutcome
  /// Moves permanently (forgetting any previous node).
  func move(_ vm: String, to node: String?, forceLive: Bool, wait: Bool) async throws -> VMMigrationOutcome
  /// Changes PVC metadata.
  func setMetadata(_ vm: String, _ change: VMMetadataChange) async throws
  /// Adds (or replaces) a tag.
  func addTag(_ vm: String, _ tag: VMTag) async throws
  /// Removes an unprotected user tag.
  func removeTag(_ vm: String, _ tag: String) async throws
  /// The last lines of the VM's serial console.
  func consoleLog(_ vm: String, lines: Int) async throws -> String
  /// Opens a running VM's serial console (taking it over from any other session).
  /// - Throws: ``ConsoleError/unavailable(_:)`` when the VM is not running or its console cannot be reached.
  func openConsole(_ vm: String) async throws -> VMConsole
  /// Opens a running VM's graphical console: the byte stream of its VNC server (RFB), for a VNC client.
  /// - Throws: ``ConsoleError/unavailable(_:)`` when the VM is not running, has no VNC graphics reachable from
  ///   other hosts, or its node cannot be reached.
  func openGraphics(_ vm: String) async throws -> VMConsole
  /// Queues a whole-VM snapshot on the primary (task `vm.create_snapshot`): an RBD snapshot of each disk and the
  /// definition; `name` `nil` takes the time (`%Y%m%d%H%M%S`). Follow it through ``PVCCluster/tasks``.
  func createSnapshot(_ vm: String, name: String?) async throws -> ClusterTask
  /// Queues the removal of a whole-VM snapshot (task `vm.remove_snapshot`).
  func removeSnapshot(_ vm: String, name: String) async throws -> ClusterTask
  /// Queues a rollback to a whole-VM snapshot (task `vm.rollback_snapshot`; the VM must be stopped or disabled).
  func rollbackSnapshot(_ vm: String, name: String) async throws -> ClusterTask
  /// Queues an export of a whole-VM snapshot to files on the primary (task `vm.export_snapshot`, upstream's
  /// layout `<path>/<vm>/<snapshot>/`); incremental from `incrementalParent` when given.
  func exportSnapshot(_ vm: String, name: String, to path: String, incrementalParent: String?) async throws
    -> ClusterTask
  /// Queues an import of an exported snapshot as a new VM (task `vm.import_snapshot`), keeping the snapshot as the
  /// VM's when `retainSnapshot`.
  func importSnapshot(_ vm: String, name: String, from path: String, retainSnapshot: Bool) async throws -> ClusterTask
  /// Queues a send of a whole-VM snapshot to another cluster (task `vm.send_snapshot`), incremental from
  /// `incrementalParent` (which the destination must have).
  func sendSnapshot(_ vm: String, name: String, to destination: SnapshotDestination, incrementalParent: String?)
    async throws -> ClusterTask
  /// Queues a mirror update (task `vm.create_mirror`): a new `mr<time>` snapshot sent to the destination, where
  /// the VM is kept stopped in state `mirror`.
  func createMirror(_ vm: String, to destination: SnapshotDestination) async throws -> ClusterTask
  /// Queues a promotion (task `vm.promote_mirror`): shut down here, a last snapshot sent, started there; this VM
  /// becomes the mirror, or is removed with `removeOnSource`.
  func promoteMirror(_ vm: String, to destination: SnapshotDestination, removeOnSource: Bool) async throws
    -> ClusterTask
  /// Backs a VM up into a directory on the primary (upstream's legacy `vm backup`: `<path>/<vm>/<date>/` with
  /// `pvcbackup.json` and `pvcdisks/`), whole or since a retained full backup; waits for it. Returns the result.
  func backup(_ vm: String, to path: String, incrementalParent: String?, retainSnapshot: Bool) async throws -> String
  /// Removes a legacy backup (and its retained snapshots); waits for it.
  func removeBackup(_ vm: String, at path: String, datestring: String) async throws -> String
  /// Makes a VM again from a legacy backup (the VM must not exist); waits for it.
  func restoreBackup(_ vm: String, from path: String, datestring: String, retainSnapshot: Bool) async throws -> String
  /// Queues an autobackup run over the VMs with `autobackup.backup_tags` (task `cluster.autobackup`).
  func autobackup(forceFull: Bool) async throws -> ClusterTask
  /// Queues an automirror run over the VMs with `automirror.mirror_tags` (task `cluster.automirror`).
  func automirror() async throws -> ClusterTask
  /// Receives the configuration of a snapshot another cluster sends (upstream's `receive/config`): the VM is
  /// defined as a snapshot mirror if it is not here, and the snapshot awaits its disks.
  func receiveSnapshotConfig(_ vm: String, snapshot: String, sourceSnapshot: String?, detail: JSONValue) async throws
  /// Receives a disk's whole image at a snapshot (upstream's `POST receive/block`) into a new volume of `size` bytes.
  func receiveSnapshotImage(
    _ vm: String, pool: String, volume: String, snapshot: String, size: UInt64, from source: ImageSource
  ) async throws
  /// Receives a disk's changes since `sourceSnapshot` (upstream's `PUT receive/block`): `records` are extents in
  /// the protocol's bytes (``SnapshotExtent/encoded``).
  func receiveSnapshotChanges(
    _ vm: String, pool: String, volume: String, snapshot: String, sourceSnapshot: String,
    from records: AsyncThrowingStream<[UInt8], any Error>
  ) async throws
  /// Ends a disk's part of a received snapshot (upstream's `PATCH receive/block`): its RBD snapshot is made, and
  /// once every disk has one the VM's snapshot is recorded.
  func receiveSnapshotFinish(_ vm: String, pool: String, volume: String, snapshot: String) async throws
  /// Queues a hot-attach of one device (task `vm.device_attach` on the VM's node): plugged into the running VM and
  /// added to its definition (only added, if it is not running).
  func attachDevice(_ vm: String, xml: String) async throws -> ClusterTask
  /// Queues a hot-detach of one device (task `vm.device_detach`): a disk is found by its target, a NIC by its MAC.
  func detachDevice(_ vm: String, xml: String) async throws -> ClusterTask
  /// Queues the freeing of a stopped VM's RBD locks (task `vm.flush_locks` on its node).
  func flushLocks(_ vm: String) async throws -> ClusterTask
}

extension VMOperations {
  /// Every VM, sorted by name.
  public func list() async throws -> [VMInfo] { try await list(VMFilter()) }
  /// Starts a VM.
  public func start(_ vm: String, force: Bool = false) async throws {
    try await setState(vm, .start, force: force, wait: false)
  }
  /// Stops a VM at once.
  public func stop(_ vm: String, force: Bool = false) async throws {
    try await setState(vm, .stop, force: force, wait: false)
  }
  /// Shuts a VM down gracefully.
  public func shutdown(_ vm: String, wait: Bool = false) async throws {
    try await setState(vm, .shutdown, force: false, wait: wait)
  }
  /// Restarts a running VM.
  public func restart(_ vm: String, wait: Bool = false) async throws {
    try await setState(vm, .restart, force: false, wait: wait)
  }
  /// Disables a VM (shutting it down first, or stopping it if `force`).
  public func disable(_ vm: String, force: Bool = false) async throws {
    try await setState(vm, .disable, force: force, wait: true)
  }
}

extension VMOperations {
  /// The VM's libvirt definition.
  public func dump(_ vm: String) async throws -> String { try await info(vm).xml }

  /// Edits the VM's definition with `edit` and stores it (restarting the VM if asked).
  private func editDefinition(_ vm: String, restart: Bool, _ edit: (String) throws -> DomainXML) async throws {
    let xml = try edit(try await info(vm).xml)
    try await modify(vm, xml: xml.text, restart: restart)
  }

  /// Sets the vCPU count (and optionally the topology).
  public func setVCPUs(
    _ vm: String, _ count: Int, topology: (sockets: Int, cores: Int, threads: Int)? = nil, restart: Bool = false
  ) async throws {
    try await editDefinition(vm, restart: restart) {
      try VMDeviceEdits.settingVCPUs($0, count: count, topology: topology)
    }
  }

  /// Sets the memory, in MiB.
  public func setMemory(_ vm: String, mebibytes: Int, restart: Bool = false) async throws {
    try await editDefinition(vm, restart: restart) { try VMDeviceEdits.settingMemory($0, mebibytes: mebibytes) }
  }

  /// Applies `edit` to the definition: as hot-plugs when `live` and the VM runs (a task per device added or
  /// removed, on its node; returned to follow), otherwise stored for its next start (or a restart, if asked).
  private func changeDevices(
    _ vm: String, restart: Bool, live: Bool, _ edit: (String) throws -> DomainXML
  ) async throws -> [ClusterTask] {
    let info = try await info(vm)
    guard live, !restart, info.state == .start else {
      try await modify(vm, xml: try edit(info.xml).text, restart: restart)
      return []
    }
    let change = try DomainDevice.difference(from: info.xml, to: try edit(info.xml).text)
    var tasks: [ClusterTask] = []
    for device in change.removed { tasks.append(try await detachDevice(vm, xml: device)) }
    for device in change.added { tasks.append(try await attachDevice(vm, xml: device)) }
    return tasks
  }

  /// Adds a network interface; hot-plugged into the running VM when `live`. Returns the hot-plug tasks.
  @discardableResult
  public func addNetwork(_ vm: String, _ request: VMNetworkRequest, restart: Bool = false, live: Bool = false)
    async throws -> [ClusterTask]
  {
    try await changeDevices(vm, restart: restart, live: live) { try VMDeviceEdits.addingNetwork($0, request) }
  }

  /// Removes the interfaces on a network, or the one with a MAC address; unplugged from the running VM when
  /// `live`. Returns the hot-plug tasks.
  @discardableResult
  public func removeNetwork(
    _ vm: String, network: String?, mac: String? = nil, restart: Bool = false, live: Bool = false
  ) async throws -> [ClusterTask] {
    try await changeDevices(vm, restart: restart, live: live) {
      try VMDeviceEdits.removingNetwork($0, network: network, mac: mac)
    }
  }

  /// Adds a disk; hot-plugged into the running VM when `live`. Returns the hot-plug tasks.
  @discardableResult
  public func addVolume(_ vm: String, _ request: VMVolumeRequest, restart: Bool = false, live: Bool = false)
    async throws -> [ClusterTask]
  {
    try await changeDevices(vm, restart: restart, live: live) { try VMDeviceEdits.addingVolume($0, request) }
  }

  /// Removes a disk; unplugged from the running VM when `live`. Returns the hot-plug tasks.
  @discardableResult
  public func removeVolume(_ vm: String, volume: String, restart: Bool = false, live: Bool = false) async throws
    -> [ClusterTask]
  {
    try await changeDevices(vm, restart: restart, live: live) {
      try VMDeviceEdits.removingVolume($0, volume: volume)
    }
  }
}
