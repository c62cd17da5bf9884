/// Whole-VM snapshots, queued as tasks on the primary (which has the cluster's Ceph client).
extension DirectVMOperations {
  func createSnapshot(_ vm: String, name: String?) async throws -> ClusterTask {
    if let name { _ = try VMSnapshotWork.checked(name) }
    _ = try await info(vm)
    return try await queueSnapshotTask(VMSnapshotCreateTask.self, .init(vm: vm, snapshot: name))
  }

  func removeSnapshot(_ vm: String, name: String) async throws -> ClusterTask {
    _ = try VMSnapshotWork.snapshot(try VMSnapshotWork.checked(name), of: try await info(vm))
    return try await queueSnapshotTask(VMSnapshotRemoveTask.self, .init(vm: vm, snapshot: name))
  }

  func rollbackSnapshot(_ vm: String, name: String) async throws -> ClusterTask {
    _ = try VMSnapshotWork.snapshot(try VMSnapshotWork.checked(name), of: try await info(vm))
    return try await queueSnapshotTask(VMSnapshotRollbackTask.self, .init(vm: vm, snapshot: name))
  }

  func exportSnapshot(_ vm: String, name: String, to path: String, incrementalParent: String?) async throws
    -> ClusterTask
  {
    let info = try await info(vm)
    _ = try VMSnapshotWork.snapshot(try VMSnapshotWork.checked(name), of: info)
    if let incrementalParent {
      _ = try VMSnapshotWork.snapshot(try VMSnapshotWork.checked(incrementalParent), of: info)
    }
    return try await queueSnapshotTask(
      VMSnapshotExportTask.self,
      .init(
        vm: info.name, snapshot: name, path: try TransferPaths.checked(path, "Target path"),
        incrementalParent: incrementalParent))
  }

  func importSnapshot(_ vm: String, name: String, from path: String, retainSnapshot: Bool) async throws
    -> ClusterTask
  {
    try VMName.check(vm)
    _ = try VMSnapshotWork.checked(name)
    return try await queueSnapshotTask(
      VMSnapshotImportTask.self,
      .init(
        vm: vm, snapshot: name, path: try TransferPaths.checked(path, "Source path"), retainSnapshot: retainSnapshot))
  }

  func sendSnapshot(_ vm: String, name: String, to destination: SnapshotDestination, incrementalParent: String?)
    async throws -> ClusterTask
  {
    let info = try await info(vm)
    _ = try VMSnapshotWork.snapshot(try VMSnapshotWork.checked(name), of: info)
    if let incrementalParent {
      _ = try VMSnapshotWork.snapshot(try VMSnapshotWork.checked(incrementalParent), of: info)
    }
    _ = try destination.baseURL()
    return try await queueSnapshotTask(
      VMSnapshotSendTask.self,
      .init(vm: info.name, snapshot: name, destination: destination, incrementalParent: incrementalParent))
  }

  func createMirror(_ vm: String, to destination: SnapshotDestination) async throws -> ClusterTask {
    let info = try await info(vm)
    _ = try destination.baseURL()
    return try await queueSnapshotTask(VMMirrorCreateTask.self, .init(vm: info.name, destination: destination))
  }

  func promoteMirror(_ vm: String, to destination: SnapshotDestination, removeOnSource: Bool) async throws
    -> ClusterTask
  {
    let info = try await info(vm)
    _ = try destination.baseURL()
    return try await queueSnapshotTask(
      VMMirrorPromoteTask.self, .init(vm: info.name, destination: destination, removeOnSource: removeOnSource))
  }

  func backup(_ vm: String, to path: String, incrementalParent: String?, retainSnapshot: Bool) async throws -> String {
    let info = try await info(vm)
    if let incrementalParent { _ = try BackupDates.checked(incrementalParent) }
    return try await performOnPrimary(
      VMBackupTask.self,
      .init(
        vm: info.name, path: try TransferPaths.checked(path, "Backup path"), incrementalParent: incrementalParent,
        retainSnapshot: retainSnapshot))
  }

  func removeBackup(_ vm: String, at path: String, datestring: String) async throws -> String {
    let info = try await info(vm)
    return try await performOnPrimary(
      VMBackupRemoveTask.self,
      .init(
        vm: info.name, path: try TransferPaths.checked(path, "Backup path"),
        datestring: try BackupDates.checked(datestring), retainSnapshot: false))
  }

  func restoreBackup(_ vm: String, from path: String, datestring: String, retainSnapshot: Bool) async throws -> String {
    try VMName.check(vm)
    return try await performOnPrimary(
      VMBackupRestoreTask.self,
      .init(
        vm: vm, path: try TransferPaths.checked(path, "Backup path"), datestring: try BackupDates.checked(datestring),
        retainSnapshot: retainSnapshot))
  }

  func autobackup(forceFull: Bool) async throws -> ClusterTask {
    try await queueSnapshotTask(ClusterAutobackupTask.self, .init(forceFull: forceFull))
  }

  func automirror() async throws -> ClusterTask {
    try await queueSnapshotTask(ClusterAutomirrorTask.self, .init())
  }

  private func performOnPrimary<Kind: TaskKind>(_ kind: Kind.Type, _ arguments: Kind.Arguments) async throws
    -> String
  {
    try await DirectTaskOperations(zookeeper: zookeeper).perform(
      kind, arguments, runOn: try await DirectNodeOperations(zookeeper: zookeeper).requirePrimary(),
      timeout: .seconds(48 * 3600))
  }

  private func queueSnapshotTask<Kind: TaskKind>(_ kind: Kind.Type, _ arguments: Kind.Arguments) async throws
    -> ClusterTask
  {
    try await DirectTaskOperations(zookeeper: zookeeper).submit(
      kind, arguments, runOn: try await DirectNodeOperations(zookeeper: zookeeper).requirePrimary())
  }
}
