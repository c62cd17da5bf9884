/// What a user's state request does to a VM: a pure decision from the request
/// and the VM's current state (``DirectVMOperations`` writes it, checked against
/// the version of the state it was decided on).
public enum VMStateRules {
  /// What to write.
  public enum Decision: Sendable, Hashable {
    /// Write this state (a request the node daemon then carries out).
    case write(VMState)
    /// Disable a running VM: stop it at once, then `disable`.
    case stopThenDisable
    /// Disable a running VM: shut it down, wait for `stop`, then `disable`.
    case shutdownThenDisable
    /// Refuse the request.
    case refuse(VMError)
  }

  /// Decides a request for the VM `vm` now in `current`.
  /// - Parameter force: snapshot mirrors need it to be started, stopped or disabled;
  ///   `disable` then stops at once instead of shutting down.
  public static func decide(_ request: VMStateRequest, current: VMState, force: Bool, vm: String) -> Decision {
    if current == .mirror && !force && [.start, .stop, .disable].contains(request) {
      return .refuse(.mirrorNotForced(vm: vm, action: request.rawValue))
    }
    switch request {
    case .start: return .write(.start)
    case .stop: return .write(.stop)
    case .restart, .shutdown:
      guard current == .start else {
        return .refuse(
          .wrongState(vm: vm, state: current, needed: "only a started VM can be \(request.rawValue)ed"))
      }
      return .write(VMState(rawValue: request.rawValue))
    case .disable:
      guard current == .start else { return .write(.disable) }
      return force ? .stopThenDisable : .shutdownThenDisable
    }
  }
}
