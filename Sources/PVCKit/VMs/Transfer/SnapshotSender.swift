import Foundation

/// Another PVC cluster's API, as a snapshot send names it (upstream's `destination_api_*` parameters).
public struct SnapshotDestination: Codable, Sendable, Hashable {
  /// The API's base URI with its prefix, e.g. `https://pvc.example.net:7370/api/v1`.
  public var uri: String
  public var key: String
  public var verifySSL: Bool
  /// The pool to put the volumes in there, when not the one they are in here.
  public var pool: String?

  public init(uri: String, key: String, verifySSL: Bool = true, pool: String? = nil) {
    self.uri = uri
    self.key = key
    self.verifySSL = verifySSL
    self.pool = pool
  }

  enum CodingKeys: String, CodingKey {
    case uri = "destination_api_uri"
    case key = "destination_api_key"
    case verifySSL = "destination_api_verify_ssl"
    case pool = "destination_storage_pool"
  }

  /// The API's base URL for PVCKit's client (without upstream's `/api/v1` prefix), checked.
  func baseURL() throws -> URL {
    var text = uri.trimmingCharacters(in: .whitespaces)
    while text.hasSuffix("/") { text.removeLast() }
    if text.hasSuffix("/api/v1") { text.removeLast(7) }
    guard let url = URL(string: text), ["http", "https"].contains(url.scheme ?? ""), url.host != nil,
      !text.unicodeScalars.contains(where: { $0.properties.generalCategory == .control })
    else { throw VMError.invalidArgument("'\(uri)' is not an API address (http[s]://host:port/api/v1)") }
    guard verifySSL || url.scheme == "http" else {
      throw VMError.invalidArgument("sending without checking the destination's certificate is not supported")
    }
    if let pool { try RBDPool.check(pool, "pool") }
    return url
  }

  /// Connects to the destination.
  func connect() async throws -> PVCCluster {
    try await PVCCluster.connect(.api(url: try baseURL(), key: key))
  }
}

/// Sends a whole-VM snapshot to another cluster over upstream's protocol: the VM's detail to `receive/config`,
/// then each disk as its whole image at the snapshot (`POST receive/block`) or as the extents changed since the
/// parent (`PUT receive/block`, in batches), then the disk's snapshot (`PATCH receive/block`). Extents discarded
/// since the parent are sent as zeros, so the copy matches (upstream leaves them out).
struct SnapshotSender: Sendable {
  let context: TaskContext
  let destination: SnapshotDestination

  /// The most sent in one batch of changes.
  static let batchSize = 128 << 20
  /// The most read from Ceph at once.
  static let readSize = 4 << 20

  /// Sends `snapshot` of the VM, incrementally from `parent` when given. Returns the bytes sent.
  func send(_ info: VMInfo, snapshot: VMSnapshot, parent: String?, to remote: PVCCluster, remoteVM: VMInfo?)
    async throws -> UInt64
  {
    try await remote.vms.receiveSnapshotConfig(
      info.name, snapshot: snapshot.name, sourceSnapshot: parent,
      detail: try await VMSnapshotWork.detail(info, at: snapshot.name, context: context))
    let disks = snapshot.rbdSnapshots.compactMap(VMSnapshotWork.parts)
    var sent: UInt64 = 0
    let storage = try context.requireStorage()
    for (index, disk) in disks.enumerated() {
      let pool = destination.pool ?? disk.pool
      await context.update(
        current: index, total: disks.count, status: "Sending \(disk.pool)/\(disk.volume) to \(pool) there")
      let images = try await storage.ceph.with { try RBDPool($0, pool: disk.pool) }
      guard let size = try await images.snapshots(of: disk.volume).first(where: { $0.name == snapshot.name })?.size
      else { throw StorageError.snapshotNotFound(pool: disk.pool, volume: disk.volume, snapshot: snapshot.name) }
      if let there = try? await remote.storage.volume(disk.volume, pool: pool) {
        guard remoteVM != nil else {
          throw TaskError.failed("the destination's pool \(pool) already has a volume \(disk.volume)")
        }
        if parent != nil, there.size != size {
          try await remote.storage.resizeVolume(disk.volume, pool: pool, size: "\(size)B", force: true)
        }
      }
      if let parent {
        sent += try await sendChanges(
          info.name, disk, pool: pool, images: images, since: parent, to: snapshot.name, remote)
      } else {
        try await remote.vms.receiveSnapshotImage(
          info.name, pool: pool, volume: disk.volume, snapshot: snapshot.name, size: size,
          from: .stream(Self.image(images, disk.volume, at: snapshot.name, size: size)))
        sent += size
      }
      try await remote.vms.receiveSnapshotFinish(info.name, pool: pool, volume: disk.volume, snapshot: snapshot.name)
    }
    return sent
  }

  /// The image's bytes at the snapshot, read as they are consumed.
  static func image(_ images: RBDPool, _ volume: String, at snapshot: String, size: UInt64)
    -> AsyncThrowingStream<[UInt8], any Error>
  {
    let offset = Counter()
    return AsyncThrowingStream(unfolding: {
      let at = offset.value
      guard at < size else { return nil }
      let count = Int(min(UInt64(readSize), size - at))
      let bytes = try await images.read(volume, at: at, count: count, snapshot: snapshot)
      guard bytes.count == count else { throw StorageError.invalid("short read of \(images.pool)/\(volume)") }
      offset.value = at + UInt64(count)
      return bytes
    })
  }

  /// Sends the extents changed between `parent` and `snapshot` in batches; returns the bytes sent.
  private func sendChanges(
    _ vm: String, _ disk: (pool: String, volume: String, snapshot: String), pool: String, images: RBDPool,
    since parent: String, to snapshot: String, _ remote: PVCCluster
  ) async throws -> UInt64 {
    let extents = try await images.changes(of: disk.volume, since: parent, to: snapshot)
    var sent: UInt64 = 0
    var batch: [UInt8] = []
    func flush() async throws {
      guard !batch.isEmpty else { return }
      let records = batch
      try await remote.vms.receiveSnapshotChanges(
        vm, pool: pool, volume: disk.volume, snapshot: snapshot, sourceSnapshot: parent,
        from: AsyncThrowingStream {
          $0.yield(records)
          $0.finish()
        })
      sent += UInt64(records.count)
      batch.removeAll(keepingCapacity: true)
    }
    for extent in extents {
      var offset = extent.offset
      let end = extent.offset + extent.length
      while offset < end {
        let count = Int(min(UInt64(Self.readSize), end - offset))
        let data =
          extent.exists
          ? try await images.read(disk.volume, at: offset, count: count, snapshot: snapshot)
          : [UInt8](repeating: 0, count: count)
        batch += SnapshotExtent(offset: offset, data: data).encoded
        offset += UInt64(count)
        if batch.count >= Self.batchSize { try await flush() }
      }
    }
    try await flush()
    return sent
  }
}

/// A value a stream's steps share (one step at a time).
final class Counter: @unchecked Sendable {
  var value: UInt64 = 0
}
