/// `vm.flush_locks`: frees the disk locks a stopped VM's node left behind.
public enum VMFlushLocksTask: TaskKind {
  public struct Arguments: Codable, Sendable, Hashable {
    public var vm: String
    public init(vm: String) { self.vm = vm }
  }
  public static let name = "vm.flush_locks"
  public static func node(for arguments: Arguments, in placement: TaskPlacement) async throws -> String {
    try await placement.nodeForVM(arguments.vm)
  }
  public static func run(_ arguments: Arguments, context: TaskContext) async throws -> String {
    let info = try await context.vms.info(arguments.vm)
    guard ![.start, .migrate, .migrateLive, .unmigrate, .restart].contains(info.state) else {
      throw TaskError.failed("VM \"\(info.name)\" is \(info.state.rawValue); stop it before freeing its disk locks")
    }
    let volumes = info.disks.filter { $0.type == "rbd" }.map(\.name)
    guard !volumes.isEmpty else { return "No RBD locks to free for VM \"\(info.name)\"." }
    let storage = try context.requireStorage()
    let freed = try await storage.flushLocks(volumes, of: info.uuid)
    return freed.isEmpty
      ? "No RBD locks to free for VM \"\(info.name)\"."
      : "Freed \(freed.count) RBD lock\(freed.count == 1 ? "" : "s") of VM \"\(info.name)\": \(freed.joined(separator: "; "))."
  }
}
