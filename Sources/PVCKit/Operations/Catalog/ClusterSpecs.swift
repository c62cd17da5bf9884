/// The operations on the cluster as a whole: the root, login, initialize, backup and restore, status.
extension OperationSpec {
  /// Confirmation of a destructive action, as upstream asks for it.
  public static let confirmation = OperationParameter.string(
    "yes-i-really-mean-it", required: true, "Confirmation of a destructive action: 'yes'")

  /// The API version
  public static let root = OperationSpec(
    "root", .get, "/", summary: "The API version", isOpen: true,
    responses: [200: "API-Version"])

  /// Log in with an API token (sets a session cookie)
  public static let login = OperationSpec(
    "login", .post, "/login", summary: "Log in with an API token (sets a session cookie)", isOpen: true,
    parameters: [.string("token", required: true, "An API token")],
    responses: [200: "Message", 401: "Message"])

  /// Log out of a session
  public static let logout = OperationSpec(
    "logout", .post, "/logout", summary: "Log out of a session", isOpen: true)

  /// Initialize a new cluster
  public static let clusterInitialize = OperationSpec(
    "cluster.initialize", .post, "/initialize", summary: "Initialize a new cluster",
    parameters: [.boolean("overwrite", "Erase an existing cluster's data first"), confirmation],
    responses: [200: "Message", 400: "Message"])

  /// Back up the cluster's ZooKeeper data
  public static let clusterBackup = OperationSpec(
    "cluster.backup", .get, "/backup", summary: "Back up the cluster's ZooKeeper data",
    responses: [200: "Cluster Data", 400: "Message"])

  /// Restore a backup over the cluster (replaces its data)
  public static let clusterRestore = OperationSpec(
    "cluster.restore", .post, "/restore", summary: "Restore a backup over the cluster (replaces its data)",
    parameters: [confirmation, .text("cluster_data", required: true, "The backup's JSON text")],
    responses: [200: "Message", 400: "Message"])

  /// The cluster's status
  public static let clusterStatus = OperationSpec(
    "cluster.status", .get, "/status", summary: "The cluster's status",
    responses: [200: "ClusterStatus", 400: "Message"])

  /// Turn maintenance mode on or off
  public static let clusterSetMaintenance = OperationSpec(
    "cluster.set-maintenance", .post, "/status", summary: "Turn maintenance mode on or off",
    parameters: [.boolean("state", required: true, "Maintenance mode: true or false")],
    responses: [200: "Message", 400: "Message"])

  /// The primary coordinator's name (204 when there is none)
  public static let clusterPrimaryNode = OperationSpec(
    "cluster.primary-node", .get, "/status/primary_node",
    summary: "The primary coordinator's name (204 when there is none)", isOpen: true,
    responses: [200: "object", 204: "none"])

  /// The audit log: the newest state-changing calls
  public static let clusterAudit = OperationSpec(
    "cluster.audit", .get, "/audit", summary: "The audit log: the newest state-changing calls",
    parameters: [.integer("limit", 1...10_000, "How many entries, newest last (default 100, at most 10000)")],
    responses: [200: "AuditEntry list", 400: "Message"],
    notes: ["PVCKit extension: who (the token's name and role) did what, when, from where, and the result"])

  /// This document (OpenAPI 3)
  public static let openAPIDocument = OperationSpec(
    "openapi", .get, "/openapi.json", summary: "This document (OpenAPI 3)",
    responses: [200: "object"])

  /// Every operation of this area.
  static let clusterOperations: [OperationSpec] = [
    root, login, logout, clusterInitialize, clusterBackup, clusterRestore, clusterStatus, clusterSetMaintenance,
    clusterPrimaryNode, clusterAudit, openAPIDocument,
  ]
}
