import CCeph
import Foundation

/// The RBD images of one Ceph pool, through librbd: create, inspect, resize,
/// rename and remove images, take, list, roll back and remove their snapshots,
/// and read and write their bytes. Every call runs on the connection's queue;
/// names are checked before they reach Ceph.
public struct RBDPool: Sendable {
  public let connection: RadosConnection
  public let pool: String

  /// An image as librbd shows it.
  public struct ImageInfo: Sendable, Hashable {
    public var name: String
    public var size: UInt64
    /// Bytes per RADOS object (`1 << order`).
    public var objectSize: UInt64
    public var objectCount: UInt64
  }

  /// A snapshot of an image.
  public struct SnapshotInfo: Sendable, Hashable {
    public var id: UInt64
    public var name: String
    public var size: UInt64
  }

  /// The images of `pool` (which must be a pool name: letters, digits, `.`, `_`, `-`).
  public init(_ connection: RadosConnection, pool: String) throws {
    try Self.check(pool, "pool")
    self.connection = connection
    self.pool = pool
  }

  /// Refuses a name that is not a pool, image or snapshot name PVCKit accepts (upstream's: letters, digits, `.`,
  /// `_`, `-`; at most 95 bytes; not `.` or `..`; no `@` or `/`, which RBD gives meaning).
  static func check(_ name: String, _ kind: String) throws {
    guard (1...95).contains(name.utf8.count), name != ".", name != "..",
      name.unicodeScalars.allSatisfy({
        $0.isASCII && ($0.properties.isAlphabetic || "0123456789._-".unicodeScalars.contains($0))
      })
    else {
      throw CephError(
        "check a \(kind) name", returned: -EINVAL,
        message: "'\(OperationParameter.shown(name))' is not a \(kind) name (letters, digits, '.', '_', '-'; 1 to 95)")
    }
  }

  /// Runs `body` with an I/O context on the pool.
  func withPool<T: Sendable>(_ operation: String, _ body: @escaping @Sendable (rados_ioctx_t) throws -> T)
    async throws -> T
  {
    let pool = self.pool
    return try await connection.blocking { cluster in
      var io: rados_ioctx_t?
      var result = rados_ioctx_create(cluster, pool, &io)
      if result == -ENOENT {
        // A pool made since this client's map was current: look again with the latest map.
        _ = rados_wait_for_latest_osdmap(cluster)
        result = rados_ioctx_create(cluster, pool, &io)
      }
      guard result == 0, let io else { throw CephError("\(operation): open pool \(pool)", returned: result) }
      defer { rados_ioctx_destroy(io) }
      return try body(io)
    }
  }

  /// Runs `body` with an open image (at its head).
  func withImage<T: Sendable>(
    _ name: String, _ operation: String, _ body: @escaping @Sendable (rbd_image_t) throws -> T
  ) async throws -> T {
    try Self.check(name, "volume")
    let pool = self.pool
    return try await withPool(operation) { io in
      var image: rbd_image_t?
      let result = rbd_open(io, name, &image, nil)
      guard result == 0, let image else { throw CephError("\(operation): open \(pool)/\(name)", returned: result) }
      defer { rbd_close(image) }
      return try body(image)
    }
  }

  /// Creates an image of `size` bytes (layering, exclusive lock, object map and fast diff: what live
  /// migration, locks and snapshots need).
  public func create(_ name: String, size: UInt64) async throws {
    try Self.check(name, "volume")
    let pool = self.pool
    try await withPool("create") { io in
      var order: Int32 = 0
      // RBD_FEATURE_LAYERING | EXCLUSIVE_LOCK | OBJECT_MAP | FAST_DIFF
      let features: UInt64 = 1 | 4 | 8 | 16
      let result = rbd_create2(io, name, size, features, &order)
      guard result == 0 else { throw CephError("create \(pool)/\(name)", returned: result) }
    }
  }

  /// The image's size and layout.
  public func info(_ name: String) async throws -> ImageInfo {
    let pool = self.pool
    return try await withImage(name, "info") { image in
      var info = rbd_image_info_t()
      let result = rbd_stat(image, &info, MemoryLayout<rbd_image_info_t>.size)
      guard result == 0 else { throw CephError("stat \(pool)/\(name)", returned: result) }
      return ImageInfo(name: name, size: info.size, objectSize: info.obj_size, objectCount: info.num_objs)
    }
  }

  /// The names of the pool's images, sorted.
  public func list() async throws -> [String] {
    let pool = self.pool
    return try await withPool("list") { io in
      var capacity = 64
      while capacity <= 1 << 20 {
        var specs = [rbd_image_spec_t](repeating: rbd_image_spec_t(), count: capacity)
        var count = capacity
        let result = rbd_list2(io, &specs, &count)
        if result == -ERANGE {
          capacity = max(capacity * 2, count)
          continue
        }
        guard result >= 0 else { throw CephError("list images of \(pool)", returned: result) }
        defer { rbd_image_spec_list_cleanup(&specs, count) }
        return specs.prefix(count).compactMap { $0.name.map { String(cString: $0) } }.sorted()
      }
      throw CephError("list images of \(pool)", returned: -ERANGE)
    }
  }

  /// Changes the image's size (shrinking loses the data past the new end).
  public func resize(_ name: String, to size: UInt64) async throws {
    let pool = self.pool
    try await withImage(name, "resize") { image in
      let result = rbd_resize(image, size)
      guard result == 0 else { throw CephError("resize \(pool)/\(name)", returned: result) }
    }
  }

  /// Renames an image.
  public func rename(_ name: String, to newName: String) async throws {
    try Self.check(name, "volume")
    try Self.check(newName, "volume")
    let pool = self.pool
    try await withPool("rename") { io in
      let result = rbd_rename(io, name, newName)
      guard result == 0 else { throw CephError("rename \(pool)/\(name) to \(newName)", returned: result) }
    }
  }

  /// Copies an image's data into a new image `newName` in the same pool (upstream's `rbd cp`).
  public func copy(_ name: String, to newName: String) async throws {
    try Self.check(newName, "volume")
    let pool = self.pool
    try Self.check(name, "volume")
    try await withPool("copy") { io in
      var image: rbd_image_t?
      let opened = rbd_open_read_only(io, name, &image, nil)
      guard opened == 0, let image else { throw CephError("copy: open \(pool)/\(name)", returned: opened) }
      defer { rbd_close(image) }
      let result = rbd_copy(image, io, newName)
      guard result == 0 else { throw CephError("copy \(pool)/\(name) to \(newName)", returned: result) }
    }
  }

  /// Removes an image (refused while it has snapshots or is open elsewhere).
  public func remove(_ name: String) async throws {
    try Self.check(name, "volume")
    let pool = self.pool
    try await withPool("remove") { io in
      let result = rbd_remove(io, name)
      guard result == 0 else { throw CephError("remove \(pool)/\(name)", returned: result) }
    }
  }

  /// Writes `bytes` at `offset`.
  public func write(_ name: String, at offset: UInt64, _ bytes: [UInt8]) async throws {
    let pool = self.pool
    try await withImage(name, "write") { image in
      // In 4 MiB pieces, all in flight at once (librbd's asynchronous writes), as `rbd import` does.
      let piece = 4 << 20
      let result: Int = bytes.withUnsafeBufferPointer { buffer in
        guard let base = buffer.baseAddress else { return 0 }
        return base.withMemoryRebound(to: CChar.self, capacity: buffer.count) { start in
          var completions: [rbd_completion_t?] = []
          var failure = 0
          var position = 0
          while position < buffer.count {
            let length = min(piece, buffer.count - position)
            var completion: rbd_completion_t?
            guard rbd_aio_create_completion(nil, nil, &completion) == 0, let completion else {
              failure = -Int(ENOMEM)
              break
            }
            let submitted = rbd_aio_write(image, offset + UInt64(position), length, start + position, completion)
            if submitted < 0 {
              rbd_aio_release(completion)
              failure = Int(submitted)
              break
            }
            completions.append(completion)
            position += length
          }
          // Every submitted write finishes before the buffer may go.
          for completion in completions {
            guard let completion else { continue }
            _ = rbd_aio_wait_for_complete(completion)
            let value = rbd_aio_get_return_value(completion)
            if value < 0 && failure == 0 { failure = value }
            rbd_aio_release(completion)
          }
          return failure
        }
      }
      guard result == 0 else { throw CephError("write \(pool)/\(name)", returned: Int32(clamping: result)) }
    }
  }

  /// Reads `count` bytes at `offset` (at most 64 MiB at once).
  public func read(_ name: String, at offset: UInt64, count: Int) async throws -> [UInt8] {
    guard (0...(64 << 20)).contains(count) else {
      throw CephError("read", returned: -EINVAL, message: "at most 64 MiB are read at once")
    }
    let pool = self.pool
    return try await withImage(name, "read") { image in
      var bytes = [UInt8](repeating: 0, count: count)
      let read = bytes.withUnsafeMutableBufferPointer { buffer in
        buffer.baseAddress.map { base in
          base.withMemoryRebound(to: CChar.self, capacity: count) { rbd_read(image, offset, count, $0) }
        } ?? 0
      }
      guard read >= 0 else { throw CephError("read \(pool)/\(name)", returned: Int32(clamping: read)) }
      return Array(bytes.prefix(read))
    }
  }

  // MARK: Snapshots

  /// Takes a snapshot of the image.
  public func createSnapshot(_ name: String, of image: String) async throws {
    try Self.check(name, "snapshot")
    let pool = self.pool
    try await withImage(image, "snapshot") { handle in
      let result = rbd_snap_create(handle, name)
      guard result == 0 else { throw CephError("snapshot \(pool)/\(image)@\(name)", returned: result) }
    }
  }

  /// The image's snapshots, oldest first.
  public func snapshots(of image: String) async throws -> [SnapshotInfo] {
    let pool = self.pool
    return try await withImage(image, "list snapshots") { handle in
      var capacity: Int32 = 16
      while capacity <= 1 << 16 {
        var snaps = [rbd_snap_info_t](repeating: rbd_snap_info_t(), count: Int(capacity))
        var count = capacity
        let result = rbd_snap_list(handle, &snaps, &count)
        if result == -ERANGE {
          capacity = max(capacity * 2, count)
          continue
        }
        guard result >= 0 else { throw CephError("list snapshots of \(pool)/\(image)", returned: result) }
        defer { rbd_snap_list_end(&snaps) }
        return snaps.prefix(Int(result)).map {
          SnapshotInfo(id: $0.id, name: $0.name.map { String(cString: $0) } ?? "", size: $0.size)
        }.sorted { $0.id < $1.id }
      }
      throw CephError("list snapshots of \(pool)/\(image)", returned: -ERANGE)
    }
  }

  /// Rolls the image back to a snapshot (its data since then is lost).
  public func rollback(_ image: String, to snapshot: String) async throws {
    try Self.check(snapshot, "snapshot")
    let pool = self.pool
    try await withImage(image, "roll back") { handle in
      let result = rbd_snap_rollback(handle, snapshot)
      guard result == 0 else { throw CephError("roll back \(pool)/\(image) to \(snapshot)", returned: result) }
    }
  }

  /// Renames a snapshot.
  public func renameSnapshot(_ name: String, of image: String, to newName: String) async throws {
    try Self.check(name, "snapshot")
    try Self.check(newName, "snapshot")
    let pool = self.pool
    try await withImage(image, "rename snapshot") { handle in
      let result = rbd_snap_rename(handle, name, newName)
      guard result == 0 else { throw CephError("rename snapshot \(pool)/\(image)@\(name)", returned: result) }
    }
  }

  /// Removes a snapshot.
  public func removeSnapshot(_ name: String, of image: String) async throws {
    try Self.check(name, "snapshot")
    let pool = self.pool
    try await withImage(image, "remove snapshot") { handle in
      let result = rbd_snap_remove(handle, name)
      guard result == 0 else { throw CephError("remove snapshot \(pool)/\(image)@\(name)", returned: result) }
    }
  }
}
