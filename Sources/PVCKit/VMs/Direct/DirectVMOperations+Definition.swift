import Foundation

extension DirectVMOperations {
  func define(_ definition: VMDefinition) async throws -> (uuid: String, name: String) {
    let xml = try DomainXML(definition.xml)
    let summary = xml.summary
    try policy.check(summary)
    try Self.checkDowntime(definition.migrationMaxDowntime)
    for tag in definition.tags { _ = try Layout.tag(tag.name, domain: summary.uuid) }

    // Defines (and renames) bump the data version of /domains: concurrent ones conflict and retry.
    let parent = try await zookeeper.get(Layout.base.path(.domains))
    async let index = records.index()
    async let nodeList = nodes.all()
    async let clusterSelector = nodes.defaultSelector()
    let (existing, allNodes, defaultSelector) = try await (index, nodeList, clusterSelector)
    if existing.contains(where: { $0.uuid == summary.uuid || $0.name == summary.name }) {
      throw VMError.duplicate(name: summary.name, uuid: summary.uuid)
    }
    let known = Set(allNodes.map(\.name))
    if let unknown = definition.nodeLimit.first(where: { !known.contains($0) }) { throw VMError.nodeNotFound(unknown) }

    let target: String
    if let node = definition.node {
      guard known.contains(node) else { throw VMError.nodeNotFound(node) }
      guard definition.nodeLimit.isEmpty || definition.nodeLimit.contains(node) else {
        throw VMError.nodeNotAllowed(node: node, vm: summary.name)
      }
      target = node
    } else {
      guard
        let chosen = Placement.target(
          nodes: allNodes.map(\.candidate), limit: definition.nodeLimit, selector: definition.nodeSelector,
          clusterDefault: defaultSelector, excluding: nil)
      else { throw VMError.noTarget(vm: summary.name) }
      target = chosen
    }
    try Self.checkResources(summary, on: allNodes.first { $0.name == target }!)

    let ref = try Layout.domain(summary.uuid)
    let values: [(DomainKey, String)] = [
      (.root, summary.name), (.xml, xml.text), (.state, definition.initialState.rawValue),
      (.profile, definition.profile ?? "None"), (.stats, ""), (.node, target), (.lastNode, ""),
      (.failedReason, ""), (.volumes, Self.rbdVolumes(summary)), (.consoleLog, ""), (.vnc, ""),
      (.autostart, definition.autostart ? "True" : "False"), (.migrationMethod, definition.migrationMethod.rawValue),
      (.migrationMaxDowntime, String(definition.migrationMaxDowntime)),
      (.nodeSelector, definition.nodeSelector.rawValue), (.nodeLimit, definition.nodeLimit.joined(separator: ",")),
      (.tags, ""), (.migrateSyncLock, ""), (.snapshots, ""),
    ]
    var operations: [ZooKeeperOperation] = [
      .check(path: Layout.base.path(.domains), version: parent.stat.version),
      .setData(path: Layout.base.path(.domains), data: parent.bytes, version: parent.stat.version),
    ]
    operations += values.map { .create(ref.path($0.0), $0.1) }
    for tag in definition.tags { operations += Self.tagOperations(try Layout.tag(tag.name, domain: summary.uuid), tag) }
    do {
      try await zookeeper.multi(operations)
    } catch let error as ZooKeeperError where error.code == .badVersion || error.code == .nodeExists {
      // Another definition landed meanwhile: check again against it.
      return try await define(definition)
    }
    return (summary.uuid, summary.name)
  }

  /// Refuses definitions larger than their node.
  static func checkResources(_ summary: DomainSummary, on node: NodeInfo) throws {
    if node.memory.total > 0 && summary.memoryMiB > node.memory.total {
      throw VMError.tooMuchMemory(
        vm: summary.name, requested: summary.memoryMiB, node: node.name, available: node.memory.total)
    }
    if node.cpuCount > 0 && summary.vcpus > node.cpuCount {
      throw VMError.tooManyVCPUs(vm: summary.name, requested: summary.vcpus, node: node.name, available: node.cpuCount)
    }
  }

  /// The `pool/volume` names of the RBD disks, comma-separated (upstream's `rbdlist`).
  static func rbdVolumes(_ summary: DomainSummary) -> String {
    summary.disks.filter { $0.type == "rbd" }.map(\.name).joined(separator: ",")
  }

  func modify(_ vm: String, xml text: String, restart: Bool) async throws {
    let (uuid, name) = try await records.resolve(vm)
    let xml = try DomainXML(text)
    try policy.check(xml.summary)
    guard xml.summary.uuid == uuid else {
      throw VMError.invalidXML("the new definition's UUID (\(xml.summary.uuid)) differs from the VM's (\(uuid))")
    }
    let ref = try Layout.domain(uuid)
    let record = try await zookeeper.record(ref, keys: [.state, .node])
    if xml.summary.name != name {
      let others = try await records.index()
      if others.contains(where: { $0.name == xml.summary.name && $0.uuid != uuid }) {
        throw VMError.duplicate(name: xml.summary.name, uuid: uuid)
      }
    }
    if let node = try await nodes.infos([record.value(.node)]).first { try Self.checkResources(xml.summary, on: node) }
    var operations: [ZooKeeperOperation] = [
      .set(ref.path(.root), xml.summary.name), .set(ref.path(.xml), xml.text),
      .set(ref.path(.volumes), Self.rbdVolumes(xml.summary)),
    ]
    if restart && VMState(rawValue: record.value(.state)) == .start {
      operations.append(.set(ref.path(.state), VMState.restart.rawValue))
    }
    try await zookeeper.multi(operations)
  }

  func rename(_ vm: String, to newName: String) async throws {
    try VMName.check(newName)
    let (uuid, name) = try await records.resolve(vm)
    let ref = try Layout.domain(uuid)
    let record = try await zookeeper.record(ref, keys: [.state, .xml])
    let state = VMState(rawValue: record.value(.state))
    guard [.stop, .disable, .mirror].contains(state) else {
      throw VMError.wrongState(vm: name, state: state, needed: "VMs can only be renamed when stopped or disabled")
    }
    if try await records.index().contains(where: { $0.name == newName }) {
      throw VMError.duplicate(name: newName, uuid: uuid)
    }
    let renamed = try DomainXML.edited(record.value(.xml)) { root in
      root.child("name")?.stringValue = newName
      // Console logs are named after the VM.
      for log in root.child("devices")?.childElements.compactMap({ $0.child("log") }) ?? [] {
        if let file = log.attribute("file"), file.hasSuffix("/\(name).log") {
          log.setAttribute("file", String(file.dropLast(name.count + 4)) + "\(newName).log")
        }
      }
    }
    let parent = try await zookeeper.get(Layout.base.path(.domains))
    try await zookeeper.multi([
      .check(path: Layout.base.path(.domains), version: parent.stat.version),
      .setData(path: Layout.base.path(.domains), data: parent.bytes, version: parent.stat.version),
      .set(ref.path(.root), newName), .set(ref.path(.xml), renamed.text),
    ])
  }

  func undefine(_ vm: String) async throws {
    let (uuid, _) = try await records.resolve(vm)
    try await stopAndDelete(uuid)
  }

  func remove(_ vm: String, deleteDisks: Bool) async throws {
    let (uuid, _) = try await records.resolve(vm)
    let volumes = (try await zookeeper.string(try Layout.domain(uuid).path(.volumes)) ?? "")
      .split(separator: ",").map { $0.split(separator: "/", maxSplits: 1).map(String.init) }.filter { $0.count == 2 }
    guard deleteDisks, !volumes.isEmpty else { return try await stopAndDelete(uuid) }
    // Ceph must answer before anything goes: a VM removed without its disks when asked for both would leave them.
    guard let ceph else { throw StorageError.noCephAccess }
    _ = try await ceph.rados()
    try await stopAndDelete(uuid)
    for volume in volumes {
      try await ceph.with {
        try await CephVolumes(rados: $0, zookeeper: zookeeper).removeDisk(volume[1], pool: volume[0])
      }
    }
  }

  /// Asks the VM's node to stop it, waits for the node to let go, then deletes the record.
  func stopAndDelete(_ uuid: String) async throws {
    let ref = try Layout.domain(uuid)
    let record = try await zookeeper.record(ref, keys: [.state, .node])
    if VMState(rawValue: record.value(.state)) != .stop {
      try await zookeeper.set(ref.path(.state), VMState.stop.rawValue)
    }
    // The node drops the VM from its running list once it is off; a VM still
    // running when its record vanishes is also stopped by its node.
    if let node = try? Layout.node(record.value(.node)) {
      _ = try await waitFor(node.path(.runningDomains), timeout: .seconds(10)) { !($0 ?? "").contains(uuid) }
    }
    try await zookeeper.deleteRecursively(ref.basePath)
  }

  /// Watches `path` until `condition` holds for its value (or `timeout` passes).
  /// - Returns: whether the condition held.
  func waitFor(_ path: String, timeout: Duration, _ condition: @escaping @Sendable (String?) -> Bool) async throws
    -> Bool
  {
    await zookeeper.wait(for: path, timeout: timeout, until: condition)
  }
}
