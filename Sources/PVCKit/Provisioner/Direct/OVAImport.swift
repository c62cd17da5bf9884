import Foundation

/// An OVA upload, as upstream: the archive streamed straight onto a temporary RBD image (never held in memory or
/// on local disk; refused unless the pool has twice its size free), its tar headers and OVF descriptor read from
/// there, each disk converted by `qemu-img` from its place inside the archive into a volume
/// `ova_<name>_sd<x>` of the disk's capacity, then the image, a system template and an OVA profile recorded. A
/// failure removes the volumes made; the temporary image always goes.
struct OVAImport: Sendable {
  let database: ProvisionerDatabase
  let storage: DirectStorageOperations

  /// The largest archive taken, in bytes.
  static let maximumSize: UInt64 = 4 << 40

  func run(_ name: String, pool: String, size: UInt64, from source: ImageSource) async throws -> OVAImage {
    let name = try ProvisionerRules.name(name, "OVA image")
    let temporary = "ova_\(name)_upload"
    try RBDPool.check(temporary, "volume")
    let info = try await storage.pool(pool)
    guard size > 0, size <= Self.maximumSize else {
      throw ProvisionerError.invalid("ova_size must be the archive's size in bytes (1 to \(Self.maximumSize))")
    }
    let (double, overflow) = size.multipliedReportingOverflow(by: 2)
    let stats = String(decoding: (try? JSONEncoder().encode(info.stats)) ?? Data(), as: UTF8.self)
    guard !overflow, CephVolumes.fits(double, stats: stats) else {
      throw ProvisionerError.invalid("pool \(pool) has not got twice the archive's size (\(size) bytes) free")
    }
    try await database.requireFreeOVA(name)
    guard let access = storage.ceph.access else { throw StorageError.noCephAccess }
    let zookeeper = storage.zookeeper
    let (descriptor, text, volumes) = try await storage.ceph.with { rados in
      let images = try RBDPool(rados, pool: pool)
      let upload = ImageUpload(rados: rados, zookeeper: zookeeper, access: access)
      try await images.create(temporary, size: size)
      do {
        let made = try await Self.unpack(
          temporary, name: name, pool: pool, size: size, from: source, images: images, upload: upload,
          volumes: CephVolumes(rados: rados, zookeeper: zookeeper))
        try? await images.remove(temporary)
        return made
      } catch {
        try? await images.remove(temporary)
        throw error
      }
    }
    do {
      try await database.addOVA(
        name, descriptor: text, vcpus: descriptor.vcpus, memoryMiB: descriptor.memoryMiB, volumes: volumes)
    } catch {
      for volume in volumes { try? await storage.removeVolume(volume.volumeName, pool: pool) }
      throw error
    }
    return OVAImage(id: 0, name: name, volumes: volumes)
  }

  /// Writes the archive into the temporary image, reads it, and makes the volumes (removed again on failure).
  static func unpack(
    _ temporary: String, name: String, pool: String, size: UInt64, from source: ImageSource, images: RBDPool,
    upload: ImageUpload, volumes: CephVolumes
  ) async throws -> (OVFDescriptor, String, [OVAVolume]) {
    let bytes: AsyncThrowingStream<[UInt8], any Error> =
      switch source {
      case .file(let path): try ImageSource.chunks(ofFile: path)
      case .stream(let stream): stream
      }
    try await upload.write(bytes, into: temporary, of: images, capacity: size)
    let index = try await TarIndex.read(size: size) { try await images.read(temporary, at: $0, count: $1) }
    guard let member = index.entries.first(where: { $0.name.lowercased().hasSuffix(".ovf") }) else {
      throw ProvisionerError.invalid("the archive has no OVF descriptor (a .ovf file): is it an OVA?")
    }
    guard member.size <= UInt64(OVFDescriptor.maximumSize) else {
      throw ProvisionerError.invalid("the OVF descriptor is larger than 1 MiB")
    }
    let text = String(
      decoding: try await images.read(temporary, at: member.offset, count: Int(member.size)), as: UTF8.self)
    let descriptor = try OVFDescriptor.parse(text)
    guard !descriptor.disks.isEmpty else { throw ProvisionerError.invalid("the OVF descriptor lists no disks") }
    var made: [OVAVolume] = []
    do {
      for (number, disk) in descriptor.disks.enumerated() {
        guard let file = index.entry(disk.file) else {
          throw ProvisionerError.invalid("disk \(disk.id)'s file \(disk.file) is not in the archive")
        }
        let diskID = "sd" + String(UnicodeScalar(UInt8(ascii: "a") + UInt8(number)))
        let volume = "ova_\(name)_\(diskID)"
        let gigabytes = (disk.capacity + (1 << 30) - 1) >> 30
        try await volumes.add(volume, pool: pool, size: "\(gigabytes)G")
        made.append(
          OVAVolume(
            pool: pool, volumeName: volume, volumeFormat: "raw", diskID: diskID, diskSizeGB: Int(gigabytes)))
        try await upload.convert(
          try Self.member(file, of: temporary, pool: pool, format: disk.format, access: upload.access), format: nil,
          into: volume, pool: pool, capacity: gigabytes << 30)
      }
    } catch {
      for volume in made { try? await volumes.remove(volume.volumeName, pool: pool) }
      throw error
    }
    return (descriptor, text, made)
  }

  static let encoder: JSONEncoder = {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    return encoder
  }()

  /// `qemu-img`'s description of a disk image inside the archive: its format over the archive's bytes from the
  /// member's offset, over the RBD image (no copy is made).
  static func member(_ entry: TarIndex.Entry, of image: String, pool: String, format: ImageFormat, access: CephAccess)
    throws -> String
  {
    let rbd: JSONValue = .object([
      "driver": .string("rbd"), "pool": .string(pool), "image": .string(image), "user": .string(access.user),
      "conf": .string(access.configurationFile),
    ])
    let slice: JSONValue = .object([
      "driver": .string("raw"), "offset": .integer(Int(clamping: entry.offset)),
      "size": .integer(Int(clamping: entry.size)),
      "file": rbd,
    ])
    let whole: JSONValue = format == .raw ? slice : .object(["driver": .string(format.rawValue), "file": slice])
    return "json:" + String(decoding: try Self.encoder.encode(whole), as: UTF8.self)
  }
}
