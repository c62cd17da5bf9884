/// What a node does about one VM: a pure decision from the VM's desired state,
/// its assigned node and what libvirt shows on this node.
public enum VMAction: Sendable, Hashable {
  /// Nothing to do (including: waiting for an incoming migration).
  case none
  /// Start the VM here.
  case start
  /// Shut it down gracefully here, then record `stop`.
  case shutdown
  /// Stop it at once here, then record `stop`.
  case stop
  /// Shut it down and start it again here.
  case restart
  /// Send it to its new node: live if allowed (falling back to shutdown unless
  /// live is required), or by shutdown.
  case migrateOut(live: Bool, fallback: Bool)
  /// It arrived here by migration: record `start`.
  case acceptArrival
  /// It runs here but belongs elsewhere and is not being migrated: stop it
  /// without touching its record.
  case terminate
  /// It is not running; record the end state (`stop` after a shutdown request
  /// that found it already off, `start` after a restart request).
  case record(VMState)
}

/// What libvirt shows of a VM on this node.
public enum LocalDomain: Sendable, Hashable {
  /// Not there.
  case absent
  /// Running.
  case running
  /// There but not running (paused, or still arriving by migration).
  case transitional
}

extension VMAction {
  /// Decides the action for a VM.
  ///
  /// Safety: a VM in a migration state is never started here: the target
  /// waits for it to arrive (or for the source to record `start` after
  /// shutting it down), so it never runs on two nodes.
  public static func decide(
    state: VMState, node: String, migrationMethod: MigrationMethod, here: String, local: LocalDomain
  ) -> VMAction {
    if node == here {
      switch local {
      case .running:
        switch state {
        case .start, .provision, .import, .restore, .mirror: return .none
        case .migrate, .migrateLive, .unmigrate: return .acceptArrival
        case .restart: return .restart
        case .shutdown: return .shutdown
        case .stop, .disable, .fail, .delete: return .stop
        default: return .none
        }
      case .transitional:
        return .none
      case .absent:
        switch state {
        case .start: return .start
        case .restart: return .record(.start)
        case .shutdown: return .record(.stop)
        default: return .none
        }
      }
    }
    guard local != .absent else { return .none }
    switch state {
    case .migrate, .unmigrate:
      return migrationMethod == .shutdown
        ? .migrateOut(live: false, fallback: true)
        : .migrateOut(live: true, fallback: migrationMethod != .live)
    case .migrateLive:
      return migrationMethod == .shutdown
        ? .migrateOut(live: false, fallback: true) : .migrateOut(live: true, fallback: false)
    case .shutdown:
      return .shutdown
    default:
      return local == .running ? .terminate : .none
    }
  }
}
