import Foundation

/// What a hot-plug task is given: the VM and one device's libvirt XML.
public struct VMDeviceArguments: Codable, Sendable, Hashable {
  public var vm: String
  /// The device's XML (a `<disk>`, `<interface>`...).
  public var xml: String

  public init(vm: String, xml: String) {
    self.vm = vm
    self.xml = xml
  }

  enum CodingKeys: String, CodingKey {
    case vm = "domain"
    case xml
  }
}

/// The hot-plug tasks run on the VM's node, which has it in its libvirt.
extension TaskKind where Arguments == VMDeviceArguments {
  public static func node(for arguments: Arguments, in placement: TaskPlacement) async throws -> String {
    try await placement.nodeForVM(arguments.vm)
  }
}

/// The steps both hot-plug tasks share.
enum VMDeviceWork {
  /// Whether the VM runs on this node now (its device changes go to libvirt as well as to its definition).
  static func runsHere(_ info: VMInfo, context: TaskContext) async throws -> Bool {
    guard info.node == context.node, [.start, .restart, .migrate, .migrateLive].contains(info.state) else {
      return false
    }
    return try await context.requireLibvirt().state(of: info.uuid) != nil
  }

  /// Stores the definition `edit` makes of the stored one, only if nobody changed it meanwhile (another device
  /// task on the VM runs beside this one); tried again on a conflict.
  static func store(_ info: VMInfo, context: TaskContext, _ edit: (String) throws -> DomainXML) async throws {
    let ref = try Layout.domain(info.uuid)
    for _ in 0..<20 {
      let current = try await context.zookeeper.get(ref.path(.xml))
      let definition = try edit(String(decoding: current.bytes, as: UTF8.self))
      try context.policy.check(definition.summary)
      do {
        _ = try await context.zookeeper.multi([
          .set(ref.path(.xml), definition.text, version: current.stat.version),
          .set(ref.path(.volumes), DirectVMOperations.rbdVolumes(definition.summary)),
        ])
        return
      } catch let error as ZooKeeperError where error.code == .badVersion {
        continue
      }
    }
    throw TaskError.failed("the definition of VM \"\(info.name)\" kept changing; the device change was not stored")
  }
}

/// `vm.device_attach`: adds a device to the VM's definition and, when it runs, hot-plugs it (an RBD disk is
/// completed with the cluster's monitors and key as at start, and its dead holders' locks broken). The definition
/// is stored only once libvirt has taken the device; if storing fails, the device is unplugged again.
public enum VMDeviceAttachTask: TaskKind {
  public typealias Arguments = VMDeviceArguments
  public static let name = "vm.device_attach"

  public static func run(_ arguments: Arguments, context: TaskContext) async throws -> String {
    let info = try await context.vms.info(arguments.vm)
    let device = try DomainDevice(arguments.xml)
    let (definition, added) = try device.attached(to: info.xml)
    try context.policy.check(definition.summary)
    let live = try await VMDeviceWork.runsHere(info, context: context)
    var plugged: String?
    if live {
      await context.update(current: 0, total: 2, status: "Hot-plugging the \(device.kind) into \(info.name)")
      let ready = try await context.storage?.prepare(definition.text) ?? definition.text
      let completed = try DomainDevice(added).found(in: ready) ?? added
      try await context.requireLibvirt().attachDevice(info.uuid, xml: completed)
      plugged = completed
    }
    do {
      try await VMDeviceWork.store(info, context: context) { try DomainDevice(added).attached(to: $0).definition }
    } catch {
      if let plugged { try? await context.requireLibvirt().detachDevice(info.uuid, xml: plugged) }
      throw error
    }
    return live
      ? "Hot-attached the \(device.kind) to VM '\(info.name)' and added it to its definition"
      : "Added the \(device.kind) to the definition of VM '\(info.name)' (not running here: it applies at start)"
  }
}

/// `vm.device_detach`: hot-unplugs a device (a disk found by its target, an interface by its MAC) from the VM
/// when it runs, and removes it from the definition.
public enum VMDeviceDetachTask: TaskKind {
  public typealias Arguments = VMDeviceArguments
  public static let name = "vm.device_detach"

  public static func run(_ arguments: Arguments, context: TaskContext) async throws -> String {
    let info = try await context.vms.info(arguments.vm)
    let device = try DomainDevice(arguments.xml)
    let (_, stored) = try device.detached(from: info.xml)
    let live = try await VMDeviceWork.runsHere(info, context: context)
    if live {
      await context.update(current: 0, total: 2, status: "Unplugging the \(device.kind) from \(info.name)")
      try await context.requireLibvirt().detachDevice(info.uuid, xml: stored)
    }
    try await VMDeviceWork.store(info, context: context) { try device.detached(from: $0).definition }
    return live
      ? "Hot-detached the \(device.kind) from VM '\(info.name)' and removed it from its definition"
      : "Removed the \(device.kind) from the definition of VM '\(info.name)' (not running here)"
  }
}
