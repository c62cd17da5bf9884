/// The keys of a node (upstream element `node`, under `/nodes/<name>`).
public enum NodeKey: SchemaKey {
  case root, keepalive, mode, activeSchema, latestSchema, staticData, pvcVersion
  case runningDomains, domainCount, networkCount
  case daemonState, routerState, domainState
  case cpuLoad, vcpuAllocated, memoryTotal, memoryUsed, memoryFree, memoryAllocated, memoryProvisioned
  case ipmiHostname, ipmiUsername, ipmiPassword
  case sriov, sriovPF, sriovVF
  case monitoringPlugins, monitoringData, monitoringHealth, networkStats

  public static let element = SchemaElement.node

  public var spec: KeySpec {
    switch self {
    case .root: KeySpec("name", "")
    case .keepalive: KeySpec("keepalive", "/keepalive", default: "0", kind: .signed)
    case .mode: KeySpec("mode", "/daemonmode")
    case .activeSchema: KeySpec("data.active_schema", "/activeschema")
    case .latestSchema: KeySpec("data.latest_schema", "/latestschema")
    case .staticData: KeySpec("data.static", "/staticdata")
    case .pvcVersion: KeySpec("data.pvc_version", "/pvcversion", since: 2)
    case .runningDomains: KeySpec("running_domains", "/runningdomains")
    case .domainCount: KeySpec("count.provisioned_domains", "/domainscount", default: "0", kind: .count)
    case .networkCount: KeySpec("count.networks", "/networkscount", default: "0", kind: .count)
    case .daemonState: KeySpec("state.daemon", "/daemonstate", default: "stop", kind: .word)
    case .routerState: KeySpec("state.router", "/routerstate", default: "client", kind: .word)
    case .domainState: KeySpec("state.domain", "/domainstate", default: "flushed", kind: .word)
    case .cpuLoad: KeySpec("cpu.load", "/cpuload", default: "0", kind: .decimal)
    case .vcpuAllocated: KeySpec("vcpu.allocated", "/vcpualloc", default: "0", kind: .count)
    case .memoryTotal: KeySpec("memory.total", "/memtotal", default: "0", kind: .count)
    case .memoryUsed: KeySpec("memory.used", "/memused", default: "0", kind: .count)
    case .memoryFree: KeySpec("memory.free", "/memfree", default: "0", kind: .count)
    case .memoryAllocated: KeySpec("memory.allocated", "/memalloc", default: "0", kind: .count)
    case .memoryProvisioned: KeySpec("memory.provisioned", "/memprov", default: "0", kind: .count)
    case .ipmiHostname: KeySpec("ipmi.hostname", "/ipmihostname")
    case .ipmiUsername: KeySpec("ipmi.username", "/ipmiusername")
    case .ipmiPassword: KeySpec("ipmi.password", "/ipmipassword")
    case .sriov: KeySpec("sriov", "/sriov", since: 1)
    case .sriovPF: KeySpec("sriov.pf", "/sriov/pf", since: 1)
    case .sriovVF: KeySpec("sriov.vf", "/sriov/vf", since: 1)
    case .monitoringPlugins: KeySpec("monitoring.plugins", "/monitoring_plugins", since: 9)
    case .monitoringData: KeySpec("monitoring.data", "/monitoring_data", since: 9)
    case .monitoringHealth:
      KeySpec("monitoring.health", "/monitoring_health", since: 10, kind: .integer(0...100, orWords: ["None"]))
    case .networkStats: KeySpec("network.stats", "/network_stats", since: 12, kind: .json)
    }
  }
}

/// The keys of a node's health plugin result (upstream element `monitoring_plugin`).
public enum MonitoringPluginKey: SchemaKey {
  case root, lastRun, healthDelta, message, data, runtime
  public static let element = SchemaElement.monitoringPlugin
  public var spec: KeySpec {
    switch self {
    case .root: KeySpec("name", "", since: 9)
    case .lastRun: KeySpec("last_run", "/last_run", since: 9, kind: .signed)
    case .healthDelta: KeySpec("health_delta", "/health_delta", since: 9, kind: .integer(-1000...1000))
    case .message: KeySpec("message", "/message", since: 9)
    case .data: KeySpec("data", "/data", since: 9)
    case .runtime: KeySpec("runtime", "/runtime", since: 9)
    }
  }
}

/// The keys of an SR-IOV physical function (upstream element `sriov_pf`).
public enum SRIOVPhysicalKey: SchemaKey {
  case root, mtu, vfCount
  public static let element = SchemaElement.sriovPF
  public var spec: KeySpec {
    switch self {
    case .root: KeySpec("phy", "", since: 1)
    case .mtu: KeySpec("mtu", "/mtu", since: 1)
    case .vfCount: KeySpec("vfcount", "/vfcount", since: 1)
    }
  }
}

/// The keys of an SR-IOV virtual function (upstream element `sriov_vf`).
public enum SRIOVVirtualKey: SchemaKey {
  case root, pf, mtu, mac, phyMAC
  case config, vlanID, vlanQoS, txRateMin, txRateMax, spoofCheck, linkState, trust, queryRSS
  case pci, pciDomain, pciBus, pciSlot, pciFunction, used, usedBy

  public static let element = SchemaElement.sriovVF

  public var spec: KeySpec {
    switch self {
    case .root: KeySpec("phy", "", since: 1)
    case .pf: KeySpec("pf", "/pf", since: 1)
    case .mtu: KeySpec("mtu", "/mtu", since: 1)
    case .mac: KeySpec("mac", "/mac", since: 1)
    case .phyMAC: KeySpec("phy_mac", "/phy_mac", since: 1)
    case .config: KeySpec("config", "/config", since: 1)
    case .vlanID: KeySpec("config.vlan_id", "/config/vlan_id", since: 1)
    case .vlanQoS: KeySpec("config.vlan_qos", "/config/vlan_qos", since: 1)
    case .txRateMin: KeySpec("config.tx_rate_min", "/config/tx_rate_min", since: 1)
    case .txRateMax: KeySpec("config.tx_rate_max", "/config/tx_rate_max", since: 1)
    case .spoofCheck: KeySpec("config.spoof_check", "/config/spoof_check", since: 1)
    case .linkState: KeySpec("config.link_state", "/config/link_state", since: 1)
    case .trust: KeySpec("config.trust", "/config/trust", since: 1)
    case .queryRSS: KeySpec("config.query_rss", "/config/query_rss", since: 1)
    case .pci: KeySpec("pci", "/pci", since: 1)
    case .pciDomain: KeySpec("pci.domain", "/pci/domain", since: 1)
    case .pciBus: KeySpec("pci.bus", "/pci/bus", since: 1)
    case .pciSlot: KeySpec("pci.slot", "/pci/slot", since: 1)
    case .pciFunction: KeySpec("pci.function", "/pci/function", since: 1)
    case .used: KeySpec("used", "/used", since: 1, default: "False")
    case .usedBy: KeySpec("used_by", "/used_by", since: 1)
    }
  }
}
