/// `storage.osd_add`: a new OSD on a device of a node, made there with ceph-volume.
public enum StorageOSDAddTask: TaskKind {
  public struct Arguments: Codable, Sendable, Hashable {
    public var node: String
    public var device: String
    /// Its CRUSH weight (default: Ceph's, from the device's size).
    public var weight: Double?

    public init(node: String, device: String, weight: Double? = nil) {
      self.node = node
      self.device = device
      self.weight = weight
    }
  }

  public static let name = "storage.osd_add"

  public static func node(for arguments: Arguments, in placement: TaskPlacement) async throws -> String {
    let node = try await placement.nodes.info(arguments.node)
    guard node.daemonState == .run else {
      throw TaskError.nodeUnavailable(node: node.name, reason: "its daemon is \(node.daemonState.rawValue)")
    }
    return node.name
  }

  public static func run(_ arguments: Arguments, context: TaskContext) async throws -> String {
    let storage = try context.requireStorage()
    await context.update(current: 1, total: 2, status: "Preparing \(arguments.device) with ceph-volume")
    return try await storage.addOSD(device: arguments.device, weight: arguments.weight)
  }
}

/// `storage.osd_remove`: an OSD taken out, emptied, stopped and purged on its node.
public enum StorageOSDRemoveTask: TaskKind {
  public struct Arguments: Codable, Sendable, Hashable {
    public var id: String
    /// Do not wait until Ceph can lose it; go on past errors.
    public var force: Bool

    public init(id: String, force: Bool = false) {
      self.id = id
      self.force = force
    }
  }

  public static let name = "storage.osd_remove"

  public static func node(for arguments: Arguments, in placement: TaskPlacement) async throws -> String {
    guard let storage = placement.storage else { throw StorageError.osdNotFound(arguments.id) }
    return try await storage.osd(arguments.id).node
  }

  public static func run(_ arguments: Arguments, context: TaskContext) async throws -> String {
    let storage = try context.requireStorage()
    await context.update(current: 1, total: 2, status: "Emptying and removing OSD \(arguments.id)")
    return try await storage.removeOSD(arguments.id, force: arguments.force)
  }
}

/// `storage.osd_replace`: an OSD moved to a new device of its node, keeping its ID.
public enum StorageOSDReplaceTask: TaskKind {
  public struct Arguments: Codable, Sendable, Hashable {
    public var id: String
    public var newDevice: String
    public var weight: Double?

    public init(id: String, newDevice: String, weight: Double? = nil) {
      self.id = id
      self.newDevice = newDevice
      self.weight = weight
    }
  }

  public static let name = "storage.osd_replace"

  public static func node(for arguments: Arguments, in placement: TaskPlacement) async throws -> String {
    try await StorageOSDRemoveTask.node(for: .init(id: arguments.id), in: placement)
  }

  public static func run(_ arguments: Arguments, context: TaskContext) async throws -> String {
    let storage = try context.requireStorage()
    await context.update(current: 1, total: 2, status: "Moving OSD \(arguments.id) to \(arguments.newDevice)")
    return try await storage.replaceOSD(arguments.id, newDevice: arguments.newDevice, weight: arguments.weight)
  }
}

/// `storage.osd_refresh`: an OSD already on a device of its node imported again (after a reinstall).
public enum StorageOSDRefreshTask: TaskKind {
  public struct Arguments: Codable, Sendable, Hashable {
    public var id: String
    public var device: String

    public init(id: String, device: String) {
      self.id = id
      self.device = device
    }
  }

  public static let name = "storage.osd_refresh"

  public static func node(for arguments: Arguments, in placement: TaskPlacement) async throws -> String {
    try await StorageOSDRemoveTask.node(for: .init(id: arguments.id), in: placement)
  }

  public static func run(_ arguments: Arguments, context: TaskContext) async throws -> String {
    let storage = try context.requireStorage()
    await context.update(current: 1, total: 2, status: "Importing OSD \(arguments.id) from \(arguments.device)")
    return try await storage.refreshOSD(arguments.id, device: arguments.device)
  }
}

/// `storage.osd_db_vg`: upstream's `osd-db` volume group on a node's device.
public enum StorageOSDDatabaseVGTask: TaskKind {
  public struct Arguments: Codable, Sendable, Hashable {
    public var node: String
    public var device: String

    public init(node: String, device: String) {
      self.node = node
      self.device = device
    }
  }

  public static let name = "storage.osd_db_vg"

  public static func node(for arguments: Arguments, in placement: TaskPlacement) async throws -> String {
    try await StorageOSDAddTask.node(for: .init(node: arguments.node, device: arguments.device), in: placement)
  }

  public static func run(_ arguments: Arguments, context: TaskContext) async throws -> String {
    let storage = try context.requireStorage()
    return try await storage.createDatabaseVolumeGroup(device: arguments.device)
  }
}
