import CCeph
import Foundation

/// Reading an image as it was at a snapshot, and what changed between two snapshots (for sends to another
/// cluster).
extension RBDPool {
  /// A changed range of an image: its bytes (`exists`), or zeros (discarded since the parent).
  public struct Extent: Sendable, Hashable {
    public var offset: UInt64
    public var length: UInt64
    public var exists: Bool
  }

  /// Runs `body` with the image opened read-only at `snapshot`.
  func withSnapshot<T: Sendable>(
    _ name: String, at snapshot: String, _ operation: String, _ body: @escaping @Sendable (rbd_image_t) throws -> T
  ) async throws -> T {
    try Self.check(name, "volume")
    try Self.check(snapshot, "snapshot")
    let pool = self.pool
    return try await withPool(operation) { io in
      var image: rbd_image_t?
      let result = rbd_open_read_only(io, name, &image, snapshot)
      guard result == 0, let image else {
        throw CephError("\(operation): open \(pool)/\(name)@\(snapshot)", returned: result)
      }
      defer { rbd_close(image) }
      return try body(image)
    }
  }

  /// Reads `count` bytes at `offset` of the image as it was at `snapshot` (at most 64 MiB at once).
  public func read(_ name: String, at offset: UInt64, count: Int, snapshot: String) async throws -> [UInt8] {
    guard (0...(64 << 20)).contains(count) else {
      throw CephError("read", returned: -EINVAL, message: "at most 64 MiB are read at once")
    }
    let pool = self.pool
    return try await withSnapshot(name, at: snapshot, "read") { image in
      var bytes = [UInt8](repeating: 0, count: count)
      let read = bytes.withUnsafeMutableBufferPointer { buffer in
        buffer.baseAddress.map { base in
          base.withMemoryRebound(to: CChar.self, capacity: count) { rbd_read(image, offset, count, $0) }
        } ?? 0
      }
      guard read >= 0 else { throw CephError("read \(pool)/\(name)@\(snapshot)", returned: Int32(clamping: read)) }
      return Array(bytes.prefix(read))
    }
  }

  /// The ranges that differ between `parent` and `snapshot` (whole RADOS objects, as upstream sends them); with
  /// `parent` `nil`, every range that holds data.
  public func changes(of name: String, since parent: String?, to snapshot: String) async throws -> [Extent] {
    if let parent { try Self.check(parent, "snapshot") }
    let pool = self.pool
    return try await withSnapshot(name, at: snapshot, "diff") { image in
      var size: UInt64 = 0
      guard rbd_get_size(image, &size) == 0 else { throw CephError("size of \(pool)/\(name)", returned: -EIO) }
      final class Collector { var extents: [Extent] = [] }
      let collector = Collector()
      let result = withExtendedLifetime(collector) {
        rbd_diff_iterate2(
          image, parent, 0, size, 1, 1,
          { offset, length, exists, context in
            guard let context else { return -EINVAL }
            Unmanaged<Collector>.fromOpaque(context).takeUnretainedValue().extents.append(
              Extent(offset: offset, length: UInt64(length), exists: exists != 0))
            return 0
          }, Unmanaged.passUnretained(collector).toOpaque())
      }
      guard result == 0 else { throw CephError("diff \(pool)/\(name)@\(snapshot)", returned: result) }
      return collector.extents
    }
  }
}
