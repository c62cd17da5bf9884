/// The cluster-wide keys (upstream element `base`).
public enum BaseKey: SchemaKey {
  case root, schema, schemaVersion
  case config, maintenance, fenceLock, primaryNode, primaryNodeSyncLock, upstreamIP, migrationTargetSelector
  case command, commandNode, commandDomain, commandCeph
  case logs, faults, nodes, domains, networks
  case storage, storageHealth, storageUtil, osds, pools, volumes, snapshots

  public static let element = SchemaElement.base

  public var spec: KeySpec {
    switch self {
    case .root: KeySpec("root", "")
    case .schema: KeySpec("schema", "/schema")
    case .schemaVersion: KeySpec("schema.version", "/schema/version", kind: .count)
    case .config: KeySpec("config", "/config")
    case .maintenance: KeySpec("config.maintenance", "/config/maintenance", default: "false", kind: .boolean)
    case .fenceLock: KeySpec("config.fence_lock", "/config/fence_lock", since: 15)
    case .primaryNode: KeySpec("config.primary_node", "/config/primary_node", default: "none")
    case .primaryNodeSyncLock: KeySpec("config.primary_node.sync_lock", "/config/primary_node/sync_lock")
    case .upstreamIP: KeySpec("config.upstream_ip", "/config/upstream_ip")
    case .migrationTargetSelector:
      KeySpec("config.migration_target_selector", "/config/migration_target_selector", default: "mem", kind: .word)
    case .command: KeySpec("cmd", "/cmd", removedIn: 10)
    case .commandNode: KeySpec("cmd.node", "/cmd/nodes", removedIn: 10)
    case .commandDomain: KeySpec("cmd.domain", "/cmd/domains", removedIn: 10)
    case .commandCeph: KeySpec("cmd.ceph", "/cmd/ceph", removedIn: 10)
    case .logs: KeySpec("logs", "/logs", since: 4)
    case .faults: KeySpec("faults", "/faults", since: 11)
    case .nodes: KeySpec("node", "/nodes")
    case .domains: KeySpec("domain", "/domains")
    case .networks: KeySpec("network", "/networks")
    case .storage: KeySpec("storage", "/ceph")
    case .storageHealth: KeySpec("storage.health", "/ceph/health", since: 9)
    case .storageUtil: KeySpec("storage.util", "/ceph/util")
    case .osds: KeySpec("osd", "/ceph/osds")
    case .pools: KeySpec("pool", "/ceph/pools")
    case .volumes: KeySpec("volume", "/ceph/volumes")
    case .snapshots: KeySpec("snapshot", "/ceph/snapshots")
    }
  }
}

/// The keys of a node's log (upstream element `logs`, under `/logs/<node>`).
public enum LogKey: SchemaKey {
  case root, messages
  public static let element = SchemaElement.logs
  public var spec: KeySpec {
    switch self {
    case .root: KeySpec("node", "", since: 4)
    case .messages: KeySpec("messages", "/messages", since: 4)
    }
  }
}

/// The keys of a cluster fault (upstream element `faults`, under `/faults/<id>`).
public enum FaultKey: SchemaKey {
  case root, lastTime, firstTime, ackTime, status, delta, message
  public static let element = SchemaElement.faults
  public var spec: KeySpec {
    switch self {
    case .root: KeySpec("id", "", since: 11)
    case .lastTime: KeySpec("last_time", "/last_time", since: 11)
    case .firstTime: KeySpec("first_time", "/first_time", since: 11)
    case .ackTime: KeySpec("ack_time", "/ack_time", since: 11)
    case .status: KeySpec("status", "/status", since: 11, default: "new", kind: .word)
    case .delta: KeySpec("delta", "/delta", since: 11, default: "0", kind: .integer(-1000...1000))
    case .message: KeySpec("message", "/message", since: 11)
    }
  }
}
