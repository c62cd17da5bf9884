import Foundation

/// The disk image formats an upload may be in (upstream's list); everything but `raw` is converted by `qemu-img`.
public enum ImageFormat: String, Sendable, Hashable, CaseIterable, Codable {
  case raw, vmdk, qcow2, qed, vdi, vpc
}

/// Where an uploaded image's bytes come from.
public enum ImageSource: Sendable {
  /// A file on this machine.
  case file(String)
  /// Bytes as they arrive (an HTTP request body): never held whole in memory.
  case stream(AsyncThrowingStream<[UInt8], any Error>)

  /// Writes a stream into a temporary file (on disk, never whole in memory: URLSession uploads stream files);
  /// the caller removes the file.
  static func spool(_ bytes: AsyncThrowingStream<[UInt8], any Error>) async throws -> (URL, UInt64) {
    let file = FileManager.default.temporaryDirectory.appendingPathComponent("pvckit-upload-\(UUID().uuidString)")
    guard FileManager.default.createFile(atPath: file.path, contents: nil),
      let handle = FileHandle(forWritingAtPath: file.path)
    else { throw StorageError.invalid("cannot write a temporary file in \(file.deletingLastPathComponent().path)") }
    var written: UInt64 = 0
    do {
      for try await chunk in bytes {
        try handle.write(contentsOf: chunk)
        written += UInt64(chunk.count)
      }
      try handle.close()
    } catch {
      try? handle.close()
      try? FileManager.default.removeItem(at: file)
      throw error
    }
    return (file, written)
  }

  /// The bytes of a file in chunks of `chunk` bytes, read as they are consumed.
  static func chunks(ofFile path: String, chunk: Int = 4 << 20) throws -> AsyncThrowingStream<[UInt8], any Error> {
    guard let handle = FileHandle(forReadingAtPath: path) else {
      throw StorageError.invalid("cannot read \(path)")
    }
    return AsyncThrowingStream(unfolding: {
      let data = try handle.read(upToCount: chunk) ?? Data()
      if data.isEmpty {
        try? handle.close()
        return nil
      }
      return [UInt8](data)
    })
  }
}

/// An image written into an RBD volume PVC knows: raw images straight into the
/// volume through librbd, in order, refused past the volume's end; other
/// formats into a temporary volume (`<volume>_tmp`, as upstream) or read from
/// their file, then converted into the volume by `qemu-img` over its RBD
/// driver. The temporary volume is always removed.
struct ImageUpload: Sendable {
  let rados: RadosConnection
  let zookeeper: ZooKeeper
  /// The user and `ceph.conf` `qemu-img` reaches Ceph with.
  let access: CephAccess

  /// The most written at once (in 4 MiB pieces in flight together): the memory an upload holds.
  static let writeSize = 32 << 20

  func upload(_ name: String, pool: String, format: ImageFormat, size: UInt64?, from source: ImageSource)
    async throws
  {
    let volumes = CephVolumes(rados: rados, zookeeper: zookeeper)
    _ = try await volumes.existing(name, pool: pool)
    let images = try RBDPool(rados, pool: pool)
    let capacity = try await images.info(name).size
    switch (format, source) {
    case (.raw, .file(let path)):
      try await write(try ImageSource.chunks(ofFile: path), into: name, of: images, capacity: capacity)
    case (.raw, .stream(let bytes)):
      try await write(bytes, into: name, of: images, capacity: capacity)
    case (_, .file(let path)):
      try await convert(path, format: format, into: name, pool: pool, capacity: capacity)
    case (_, .stream(let bytes)):
      guard let size, size > 0 else {
        throw StorageError.invalid("a \(format.rawValue) image needs its size in bytes (file_size) to be uploaded")
      }
      let temporary = name + "_tmp"
      try RBDPool.check(temporary, "volume")
      try await images.create(temporary, size: size)
      do {
        try await write(bytes, into: temporary, of: images, capacity: size)
        try await convert(rbd(pool, temporary), format: format, into: name, pool: pool, capacity: capacity)
      } catch {
        try? await images.remove(temporary)
        throw error
      }
      try await images.remove(temporary)
    }
    try await volumes.scan(name, pool: pool)
  }

  /// Writes the bytes in order from the start of the image; more than `capacity` bytes is refused.
  /// Writes the stream's bytes from the start of the image. Into a volume just made (`fresh`, all zeros), pieces that
  /// are all zeros are skipped: the volume stays thin, and a mostly empty disk costs its data only.
  func write(
    _ bytes: AsyncThrowingStream<[UInt8], any Error>, into name: String, of images: RBDPool, capacity: UInt64,
    fresh: Bool = false
  ) async throws {
    var offset: UInt64 = 0
    var pending: [UInt8] = []
    pending.reserveCapacity(Self.writeSize)
    func flush() async throws {
      guard !pending.isEmpty else { return }
      let (end, overflow) = offset.addingReportingOverflow(UInt64(pending.count))
      guard !overflow, end <= capacity else {
        throw StorageError.invalid(
          "the image is larger than volume \(images.pool)/\(name) (\(capacity) bytes): resize the volume first")
      }
      if !(fresh && pending.allSatisfy { $0 == 0 }) { try await images.write(name, at: offset, pending) }
      offset = end
      pending.removeAll(keepingCapacity: true)
    }
    for try await chunk in bytes {
      var rest = chunk[...]
      while !rest.isEmpty {
        let take = min(rest.count, Self.writeSize - pending.count)
        pending += rest.prefix(take)
        rest = rest.dropFirst(take)
        if pending.count == Self.writeSize { try await flush() }
      }
    }
    try await flush()
  }

  /// `qemu-img`'s name of an RBD image.
  func rbd(_ pool: String, _ image: String) -> String {
    "rbd:\(pool)/\(image):id=\(access.user):conf=\(access.configurationFile)"
  }

  /// Converts an image (a file, an RBD image by ``rbd(_:_:)``, or a `json:` description that names its own
  /// format, with `format` nil) into the volume, after checking that it fits.
  func convert(_ input: String, format: ImageFormat?, into name: String, pool: String, capacity: UInt64) async throws {
    let qemuImg = Command("/usr/bin/qemu-img", "/bin/qemu-img")
    let formatArguments = format.map { ["-f", $0.rawValue] } ?? []
    let info = try await qemuImg.run(["info", "--output=json"] + formatArguments + [input], timeout: .seconds(60))
    guard info.status == 0, let value = try? JSONValue(parsing: info.output) else {
      throw StorageError.invalid(
        "not a \(format?.rawValue ?? "disk") image: \(info.output.trimmingCharacters(in: .whitespacesAndNewlines).suffix(300))"
      )
    }
    let virtual = StorageStats.number(value, "virtual-size")
    guard virtual > 0, UInt64(virtual) <= capacity else {
      throw StorageError.invalid(
        "the image's disk (\(virtual) bytes) is larger than volume \(pool)/\(name) (\(capacity) bytes): resize the volume first"
      )
    }
    let result = try await qemuImg.run(
      ["convert", "-n"] + formatArguments + ["-O", "raw", input, rbd(pool, name)], timeout: .seconds(3600))
    guard result.status == 0 else {
      throw StorageError.invalid(
        "qemu-img could not convert the image: \(result.output.trimmingCharacters(in: .whitespacesAndNewlines).suffix(300))"
      )
    }
  }
}
