/// `vm.state`: asks for a VM state and waits until the VM is in it (a shutdown
/// or restart finished, a disable stopped it).
public enum VMStateTask: TaskKind {
  public struct Arguments: Codable, Sendable, Hashable {
    public var vm: String
    public var state: VMStateRequest
    /// `disable`: stop at once instead of shutting down.
    public var force: Bool

    public init(vm: String, state: VMStateRequest, force: Bool = false) {
      self.vm = vm
      self.state = state
      self.force = force
    }
  }
  public static let name = "vm.state"
  public static func node(for arguments: Arguments, in placement: TaskPlacement) async throws -> String {
    try await placement.nodeForVM(arguments.vm)
  }
  public static func run(_ arguments: Arguments, context: TaskContext) async throws -> String {
    let vms = context.vms
    await context.update(current: 0, total: 1, status: "VM \(arguments.vm): \(arguments.state.rawValue)")
    try await vms.setState(arguments.vm, arguments.state, force: arguments.force, wait: true)
    return arguments.state.message(vm: arguments.vm, finished: true)
  }
}
