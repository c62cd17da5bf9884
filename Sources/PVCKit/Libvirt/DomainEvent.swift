import CLibvirt

/// A change in a domain's life cycle, reported by libvirt.
public struct DomainEvent: Sendable, Hashable {
  /// What happened.
  public enum Kind: Sendable, Hashable {
    case defined, undefined, started, suspended, resumed, stopped, shutdown, pmsuspended, crashed
    case other(Int32)

    init(_ value: Int32) {
      switch UInt32(bitPattern: value) {
      case VIR_DOMAIN_EVENT_DEFINED.rawValue: self = .defined
      case VIR_DOMAIN_EVENT_UNDEFINED.rawValue: self = .undefined
      case VIR_DOMAIN_EVENT_STARTED.rawValue: self = .started
      case VIR_DOMAIN_EVENT_SUSPENDED.rawValue: self = .suspended
      case VIR_DOMAIN_EVENT_RESUMED.rawValue: self = .resumed
      case VIR_DOMAIN_EVENT_STOPPED.rawValue: self = .stopped
      case VIR_DOMAIN_EVENT_SHUTDOWN.rawValue: self = .shutdown
      case VIR_DOMAIN_EVENT_PMSUSPENDED.rawValue: self = .pmsuspended
      case VIR_DOMAIN_EVENT_CRASHED.rawValue: self = .crashed
      default: self = .other(value)
      }
    }
  }

  /// The domain's UUID.
  public var uuid: String
  /// The domain's name.
  public var name: String
  /// What happened.
  public var kind: Kind
  /// libvirt's detail code for the kind (for example "migrated" for `started`).
  public var detail: Int32

  /// Whether the domain arrived by live migration.
  public var isIncomingMigration: Bool {
    kind == .started && detail == Int32(VIR_DOMAIN_EVENT_STARTED_MIGRATED.rawValue)
      || kind == .resumed && detail == Int32(VIR_DOMAIN_EVENT_RESUMED_MIGRATED.rawValue)
  }
}
