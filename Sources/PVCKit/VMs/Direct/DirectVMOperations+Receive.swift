import Foundation

/// A snapshot being received, kept at ``Layout/snapshotReceive(_:domain:)`` until every disk has arrived, so
/// that the VM's snapshot record only ever names snapshots its disks have.
struct SnapshotReceipt: Codable, Sendable, Hashable {
  /// The definition the snapshot carries (its disks' pools are the sender's).
  var xml: String
  /// When the configuration came.
  var timestamp: Double
  /// The volumes to come, by name.
  var volumes: [String]
  /// The snapshot the changes are since (an incremental send), if any.
  var source: String? = nil
  /// The pool each volume arrived in, once its snapshot is made.
  var arrived: [String: String] = [:]
  /// The volumes whose changes have begun (each rolled back to the parent first).
  var started: [String] = []
}

/// The receiving side of snapshot sends (upstream's `/vm/<vm>/snapshot/receive/...`): the VM is defined (or kept)
/// in state `mirror`, each disk's image or changes written through librbd, and the snapshot recorded once all its
/// disks have it. An interrupted send is taken up by the next one: a volume a full send left without a snapshot is
/// made again, and changes start from the parent snapshot again.
extension DirectVMOperations {
  func receiveSnapshotConfig(_ vm: String, snapshot: String, sourceSnapshot: String?, detail: JSONValue) async throws {
    let record = try VMDetailRecord(detail)
    _ = try VMSnapshotWork.checked(snapshot)
    if let existing = try? await info(record.uuid) {
      guard existing.state == .mirror else {
        throw VMError.invalidArgument("VM \"\(existing.name)\" exists on this cluster and is not a snapshot mirror")
      }
      guard !existing.snapshots.contains(where: { $0.name == snapshot }) else {
        throw VMError.invalidArgument("VM \"\(existing.name)\" already has snapshot \"\(snapshot)\"")
      }
      if let sourceSnapshot, !existing.snapshots.contains(where: { $0.name == sourceSnapshot }) {
        throw VMError.invalidArgument("VM \"\(existing.name)\" has no snapshot \"\(sourceSnapshot)\" to build on")
      }
    } else {
      guard sourceSnapshot == nil else {
        throw VMError.invalidArgument("there is no VM \"\(record.name)\" here to apply changes to: send it whole")
      }
      let known = Set(try await nodes.all().map(\.name))
      _ = try await define(record.definition(initialState: .mirror, knownNodes: known))
    }
    let receipt = SnapshotReceipt(
      xml: record.xml, timestamp: Date().timeIntervalSince1970,
      volumes: record.rbdDisks.compactMap { $0.split(separator: "/", maxSplits: 1).last.map(String.init) },
      source: sourceSnapshot)
    let path = try Layout.snapshotReceive(snapshot, domain: record.uuid)
    try await zookeeper.ensurePath(Layout.receivesRoot)
    // A send of this VM that never finished is over: its changes are undone when the next one starts.
    for other in try await zookeeper.children(Layout.receivesRoot) where other.hasPrefix(record.uuid + ".") {
      if Layout.receivesRoot + "/" + other != path { try? await zookeeper.delete(Layout.receivesRoot + "/" + other) }
    }
    let data = Array(try JSONEncoder().encode(receipt))
    if try await zookeeper.exists(path) != nil {
      _ = try await zookeeper.multi([.setData(path: path, data: data)])
    } else {
      _ = try await zookeeper.multi([.create(path: path, data: data)])
    }
  }

  func receiveSnapshotImage(
    _ vm: String, pool: String, volume: String, snapshot: String, size: UInt64, from source: ImageSource
  ) async throws {
    let (info, receipt, _) = try await receiving(vm, snapshot: snapshot, volume: volume)
    let ceph = try requireCeph()
    try await ceph.with { rados in
      let volumes = CephVolumes(rados: rados, zookeeper: zookeeper)
      let images = try RBDPool(rados, pool: pool)
      if (try? await images.info(volume)) != nil {
        // What an interrupted full send of this snapshot left (no snapshot yet) is made again.
        guard try await images.snapshots(of: volume).isEmpty, receipt.arrived[volume] == nil else {
          throw StorageError.exists("volume \(pool)/\(volume) (of VM \(info.name))")
        }
        try await volumes.removeDisk(volume, pool: pool)
      }
      try await volumes.add(volume, pool: pool, size: "\(size)B")
      do {
        guard let access = ceph.access else { throw StorageError.noCephAccess }
        let upload = ImageUpload(rados: rados, zookeeper: zookeeper, access: access)
        switch source {
        // The volume was just made: zeros are not written.
        case .stream(let bytes): try await upload.write(bytes, into: volume, of: images, capacity: size, fresh: true)
        case .file(let path):
          try await upload.write(
            try ImageSource.chunks(ofFile: path), into: volume, of: images, capacity: size, fresh: true)
        }
      } catch {
        try? await volumes.removeDisk(volume, pool: pool)
        throw error
      }
    }
  }

  func receiveSnapshotChanges(
    _ vm: String, pool: String, volume: String, snapshot: String, sourceSnapshot: String,
    from records: AsyncThrowingStream<[UInt8], any Error>
  ) async throws {
    let (info, receipt, version) = try await receiving(vm, snapshot: snapshot, volume: volume)
    _ = try VMSnapshotWork.checked(sourceSnapshot)
    let ceph = try requireCeph()
    try await ceph.with { rados in
      let images = try RBDPool(rados, pool: pool)
      guard try await images.snapshots(of: volume).contains(where: { $0.name == sourceSnapshot }) else {
        throw StorageError.snapshotNotFound(pool: pool, volume: volume, snapshot: sourceSnapshot)
      }
      // The first batch of this volume starts from the parent (undoing what an interrupted send wrote).
      if !receipt.started.contains(volume) {
        try await images.rollback(volume, to: sourceSnapshot)
        var updated = receipt
        updated.started.append(volume)
        try await storeReceipt(updated, snapshot: snapshot, uuid: info.uuid, version: version)
      }
      let size = try await images.info(volume).size
      var decoder = SnapshotExtentDecoder()
      // The body arrives in small pieces: contiguous ones are gathered into writes of up to 4 MiB (one RBD object),
      // not one write per piece.
      var pending: (offset: UInt64, bytes: [UInt8])?
      func flush() async throws {
        guard let write = pending else { return }
        pending = nil
        try await images.write(volume, at: write.offset, write.bytes)
      }
      for try await chunk in records {
        for write in try decoder.feed(chunk) {
          guard write.offset + UInt64(write.bytes.count) <= size else {
            throw VMError.invalidArgument("a change at \(write.offset) lies past the end of \(pool)/\(volume)")
          }
          if let gathered = pending, gathered.offset + UInt64(gathered.bytes.count) == write.offset,
            gathered.bytes.count + write.bytes.count <= Self.receiveWriteSize
          {
            pending?.bytes += write.bytes
          } else {
            try await flush()
            pending = (write.offset, write.bytes)
          }
        }
      }
      try await flush()
      try decoder.finish()
    }
  }

  /// The largest write a received batch of changes is gathered into (an RBD object).
  static let receiveWriteSize = 4 << 20

  func receiveSnapshotFinish(_ vm: String, pool: String, volume: String, snapshot: String) async throws {
    let (info, receipt, version) = try await receiving(vm, snapshot: snapshot, volume: volume)
    let ceph = try requireCeph()
    try await ceph.with { rados in
      let images = try RBDPool(rados, pool: pool)
      let snapshots = try await images.snapshots(of: volume).map(\.name)
      if !snapshots.contains(snapshot) {
        // A disk with no changes since the parent: back to the parent all the same (an interrupted send may have
        // written to it).
        if let source = receipt.source, !receipt.started.contains(volume) {
          guard snapshots.contains(source) else {
            throw StorageError.snapshotNotFound(pool: pool, volume: volume, snapshot: source)
          }
          try await images.rollback(volume, to: source)
        }
        try await images.createSnapshot(snapshot, of: volume)
      }
      let records = CephSnapshots(rados: rados, zookeeper: zookeeper)
      try await records.record(snapshot, volume: volume, pool: pool)
      try await records.volumes.scan(volume, pool: pool)
    }
    var updated = receipt
    updated.arrived[volume] = pool
    guard Set(updated.arrived.keys).isSuperset(of: updated.volumes) else {
      return try await storeReceipt(updated, snapshot: snapshot, uuid: info.uuid, version: version)
    }
    // Every disk is here: the definition (with this cluster's pools) and the snapshot's record.
    let xml = try Self.repooled(updated.xml, arrived: updated.arrived)
    if xml != info.xml { try await modify(info.uuid, xml: xml, restart: false) }
    let disks = try DomainXML(xml).summary.disks.filter { $0.type == "rbd" }.map(\.name)
    try await VMSnapshotWork.record(snapshot, of: info.uuid, xml: xml, disks: disks, in: zookeeper)
    try await zookeeper.delete(try Layout.snapshotReceive(snapshot, domain: info.uuid))
  }

  /// The mirror VM, the receipt of its snapshot (and the receipt's version), checking that `volume` is one of its
  /// disks.
  private func receiving(_ vm: String, snapshot: String, volume: String) async throws -> (
    VMInfo, SnapshotReceipt, Int32
  ) {
    try RBDPool.check(volume, "volume")
    let info = try await info(vm)
    guard info.state == .mirror else {
      throw VMError.invalidArgument("VM \"\(info.name)\" is not a snapshot mirror; nothing is received into it")
    }
    let path = try Layout.snapshotReceive(try VMSnapshotWork.checked(snapshot), domain: info.uuid)
    let data: ZNodeData
    do {
      data = try await zookeeper.get(path)
    } catch let error as ZooKeeperError where error.code == .noNode {
      throw VMError.invalidArgument("no snapshot \"\(snapshot)\" of VM \"\(info.name)\" is being received")
    }
    let receipt = try JSONDecoder().decode(SnapshotReceipt.self, from: Data(data.bytes))
    guard receipt.volumes.contains(volume) else {
      throw VMError.invalidArgument("volume \(volume) is not a disk of snapshot \"\(snapshot)\" of \(info.name)")
    }
    return (info, receipt, data.stat.version)
  }

  private func storeReceipt(_ receipt: SnapshotReceipt, snapshot: String, uuid: String, version: Int32) async throws {
    _ = try await zookeeper.multi([
      .setData(
        path: try Layout.snapshotReceive(snapshot, domain: uuid), data: Array(try JSONEncoder().encode(receipt)),
        version: version)
    ])
  }

  private func requireCeph() throws -> CephLink {
    guard let ceph, ceph.access != nil else { throw StorageError.noCephAccess }
    return ceph
  }

  /// The definition with each RBD disk in the pool its volume arrived in.
  static func repooled(_ xml: String, arrived: [String: String]) throws -> String {
    try DomainXML.edited(xml) { root in
      for disk in root.child("devices")?.children(named: "disk") ?? [] {
        guard let source = disk.child("source"), source.attribute("protocol") == "rbd",
          let name = source.attribute("name"), let slash = name.firstIndex(of: "/")
        else { continue }
        let volume = String(name[name.index(after: slash)...])
        if let pool = arrived[volume] { source.setAttribute("name", "\(pool)/\(volume)") }
      }
    }.text
  }
}
