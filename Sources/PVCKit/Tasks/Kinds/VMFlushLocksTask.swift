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
    guard info.disks.allSatisfy({ $0.type != "rbd" }) else {
      throw TaskError.failed("VM \"\(info.name)\" has RBD disks, and Ceph storage is not available in this release yet")
    }
    return "No RBD locks to free for VM \"\(info.name)\"."
  }
}
