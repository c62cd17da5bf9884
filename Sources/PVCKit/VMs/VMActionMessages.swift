/// What a VM action did, said the same way by every front (the API's
/// messages, `pvc`, the web UI's notices) and by the tasks that run them.

extension VMStateRequest {
  /// The message once this state was asked for (`finished`: once it was reached, after waiting).
  public func message(vm: String, finished: Bool = false) -> String {
    switch (self, finished) {
    case (.start, false): "Starting VM \"\(vm)\"."
    case (.start, true): "Started VM \"\(vm)\"."
    case (.shutdown, false): "Shutting down VM \"\(vm)\"."
    case (.shutdown, true): "Shut down VM \"\(vm)\"."
    case (.stop, _): "Forcibly stopping VM \"\(vm)\"."
    case (.restart, false): "Restarting VM \"\(vm)\"."
    case (.restart, true): "Restarted VM \"\(vm)\"."
    case (.disable, _): "Marked VM \"\(vm)\" as disabled."
    }
  }
}

/// A change of a VM's node (`POST /vm/{vm}/node`'s `action`).
public enum VMMoveAction: String, Sendable, Hashable, CaseIterable {
  /// Temporarily, remembering the node it came from.
  case migrate
  /// Back to the node it came from.
  case unmigrate
  /// Permanently, forgetting any previous node.
  case move
}

extension VMMigrationOutcome {
  /// The message once `action` was asked for VM `vm` (`finished`: once it arrived, after waiting).
  public func message(vm: String, action: VMMoveAction, finished: Bool = false) -> String {
    switch self {
    case .madePermanent(let node): "Made the migration of VM \"\(vm)\" to node \"\(node)\" permanent."
    case .moving(let node):
      switch (action, finished) {
      case (.migrate, false): "Migrating VM \"\(vm)\" to node \"\(node)\"."
      case (.migrate, true): "Migrated VM \"\(vm)\" to node \"\(node)\"."
      case (.unmigrate, false): "Unmigrating VM \"\(vm)\" back to node \"\(node)\"."
      case (.unmigrate, true): "Unmigrated VM \"\(vm)\" back to node \"\(node)\"."
      case (.move, false): "Permanently migrating VM \"\(vm)\" to node \"\(node)\"."
      case (.move, true): "Permanently migrated VM \"\(vm)\" to node \"\(node)\"."
      }
    }
  }
}
