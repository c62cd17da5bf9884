/// The keys of a VM (upstream element `domain`, under `/domains/<uuid>`).
public enum DomainKey: SchemaKey {
  case root, xml, state, profile, stats, node, lastNode, failedReason, volumes, consoleLog, vnc
  case autostart, migrationMethod, migrationMaxDowntime, nodeSelector, nodeLimit, tags
  case migrateSyncLock, snapshots

  public static let element = SchemaElement.domain

  public var spec: KeySpec {
    switch self {
    case .root: KeySpec("name", "")
    case .xml: KeySpec("xml", "/xml", kind: .domainXML)
    case .state: KeySpec("state", "/state", default: "stop", kind: .word)
    case .profile: KeySpec("profile", "/profile")
    case .stats: KeySpec("stats", "/stats", kind: .json)
    case .node: KeySpec("node", "/node")
    case .lastNode: KeySpec("last_node", "/lastnode")
    case .failedReason: KeySpec("failed_reason", "/failedreason")
    case .volumes: KeySpec("storage.volumes", "/rbdlist")
    case .consoleLog: KeySpec("console.log", "/consolelog")
    case .vnc: KeySpec("console.vnc", "/vnc")
    case .autostart: KeySpec("meta.autostart", "/node_autostart", default: "False", kind: .boolean)
    case .migrationMethod: KeySpec("meta.migrate_method", "/migration_method", default: "none", kind: .word)
    case .migrationMaxDowntime:
      KeySpec("meta.migrate_max_downtime", "/migration_max_downtime", since: 13, default: "300", kind: .count)
    case .nodeSelector: KeySpec("meta.node_selector", "/node_selector", default: "none", kind: .word)
    case .nodeLimit: KeySpec("meta.node_limit", "/node_limit")
    case .tags: KeySpec("meta.tags", "/tags", since: 3)
    case .migrateSyncLock: KeySpec("migrate.sync_lock", "/migrate_sync_lock")
    case .snapshots: KeySpec("snapshots", "/snapshots", since: 14)
    }
  }
}

/// The keys of a VM tag (upstream element `tag`, under `/domains/<uuid>/tags/<tag>`).
public enum TagKey: SchemaKey {
  case root, type, protected
  public static let element = SchemaElement.tag
  public var spec: KeySpec {
    switch self {
    case .root: KeySpec("name", "", since: 3)
    case .type: KeySpec("type", "/type", since: 3, default: "user", kind: .word)
    case .protected: KeySpec("protected", "/protected", since: 3, default: "False", kind: .boolean)
    }
  }
}

/// The keys of a whole-VM snapshot (upstream element `domain_snapshot`).
public enum DomainSnapshotKey: SchemaKey {
  case root, timestamp, xml, rbdSnapshots
  public static let element = SchemaElement.domainSnapshot
  public var spec: KeySpec {
    switch self {
    case .root: KeySpec("name", "", since: 14)
    case .timestamp: KeySpec("timestamp", "/timestamp", since: 14, kind: .decimal)
    case .xml: KeySpec("xml", "/xml", since: 14)
    case .rbdSnapshots: KeySpec("rbd_snapshots", "/rbdsnaplist", since: 14)
    }
  }
}
