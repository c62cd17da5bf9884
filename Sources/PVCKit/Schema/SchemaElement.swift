/// A kind of object in the cluster layout, named as in upstream's schema files.
public enum SchemaElement: String, CaseIterable, Sendable, Hashable {
  case base
  case logs
  case faults
  case node
  case monitoringPlugin = "monitoring_plugin"
  case sriovPF = "sriov_pf"
  case sriovVF = "sriov_vf"
  case domain
  case tag
  case domainSnapshot = "domain_snapshot"
  case network
  case reservation
  case lease
  case rule
  case osd
  case pool
  case volume
  case snapshot

  /// The element's keys, as specified for every version.
  public var allSpecs: [KeySpec] {
    switch self {
    case .base: BaseKey.allCases.map(\.spec)
    case .logs: LogKey.allCases.map(\.spec)
    case .faults: FaultKey.allCases.map(\.spec)
    case .node: NodeKey.allCases.map(\.spec)
    case .monitoringPlugin: MonitoringPluginKey.allCases.map(\.spec)
    case .sriovPF: SRIOVPhysicalKey.allCases.map(\.spec)
    case .sriovVF: SRIOVVirtualKey.allCases.map(\.spec)
    case .domain: DomainKey.allCases.map(\.spec)
    case .tag: TagKey.allCases.map(\.spec)
    case .domainSnapshot: DomainSnapshotKey.allCases.map(\.spec)
    case .network: NetworkKey.allCases.map(\.spec)
    case .reservation: ReservationKey.allCases.map(\.spec)
    case .lease: LeaseKey.allCases.map(\.spec)
    case .rule: RuleKey.allCases.map(\.spec)
    case .osd: OSDKey.allCases.map(\.spec)
    case .pool: PoolKey.allCases.map(\.spec)
    case .volume: VolumeKey.allCases.map(\.spec)
    case .snapshot: SnapshotKey.allCases.map(\.spec)
    }
  }

  /// The element's keys in schema `version`.
  public func specs(in version: Int) -> [KeySpec] {
    allSpecs.filter { $0.exists(in: version) }
  }
}
