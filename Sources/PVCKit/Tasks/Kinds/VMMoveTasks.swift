/// What a migration task needs.
public struct VMMoveArguments: Codable, Sendable, Hashable {
  enum CodingKeys: String, CodingKey {
    case vm, target, force
    case forceLive = "force_live"
  }

  /// The VM (name or UUID).
  public var vm: String
  /// The target node; `nil`: chosen by the VM's selector.
  public var target: String?
  /// Migrate even if already migrated (`vm.migrate` only).
  public var force: Bool
  /// Never fall back to a shutdown migration.
  public var forceLive: Bool

  public init(vm: String, target: String? = nil, force: Bool = false, forceLive: Bool = false) {
    self.vm = vm
    self.target = target
    self.force = force
    self.forceLive = forceLive
  }

}

/// `vm.migrate`: migrates a VM (temporarily) and waits until it runs on its new node.
public enum VMMigrateTask: TaskKind {
  public typealias Arguments = VMMoveArguments
  public static let name = "vm.migrate"
  public static func node(for arguments: Arguments, in placement: TaskPlacement) async throws -> String {
    try await placement.nodeForVM(arguments.vm)
  }
  public static func run(_ arguments: Arguments, context: TaskContext) async throws -> String {
    let vms = context.vms
    await context.update(current: 0, total: 1, status: "migrating VM \(arguments.vm)")
    let outcome = try await vms.migrate(
      arguments.vm, to: arguments.target, force: arguments.force, forceLive: arguments.forceLive, wait: true)
    return outcome.message(vm: arguments.vm, action: .migrate, finished: true)
  }
}

/// `vm.move`: moves a VM for good and waits until it runs on its new node.
public enum VMMoveTask: TaskKind {
  public typealias Arguments = VMMoveArguments
  public static let name = "vm.move"
  public static func node(for arguments: Arguments, in placement: TaskPlacement) async throws -> String {
    try await placement.nodeForVM(arguments.vm)
  }
  public static func run(_ arguments: Arguments, context: TaskContext) async throws -> String {
    let vms = context.vms
    await context.update(current: 0, total: 1, status: "moving VM \(arguments.vm)")
    let outcome = try await vms.move(arguments.vm, to: arguments.target, forceLive: arguments.forceLive, wait: true)
    return outcome.message(vm: arguments.vm, action: .move, finished: true)
  }
}

/// `vm.unmigrate`: returns a migrated VM to its previous node and waits until it runs there.
public enum VMUnmigrateTask: TaskKind {
  public typealias Arguments = VMMoveArguments
  public static let name = "vm.unmigrate"
  public static func node(for arguments: Arguments, in placement: TaskPlacement) async throws -> String {
    try await placement.nodeForVM(arguments.vm)
  }
  public static func run(_ arguments: Arguments, context: TaskContext) async throws -> String {
    let vms = context.vms
    await context.update(current: 0, total: 1, status: "returning VM \(arguments.vm)")
    let outcome = try await vms.unmigrate(arguments.vm, forceLive: arguments.forceLive, wait: true)
    return outcome.message(vm: arguments.vm, action: .unmigrate, finished: true)
  }
}
