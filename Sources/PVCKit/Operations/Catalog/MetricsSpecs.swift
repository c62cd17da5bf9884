/// The Prometheus metrics (`/metrics`).
extension OperationSpec {
  /// Health and resource metrics (Prometheus)
  public static let metrics = OperationSpec(
    "metrics", .get, "/metrics", summary: "Health and resource metrics (Prometheus)", isOpen: true,
    responses: [200: "text"],
    notes: [
      "Upstream's families (health, resource, Ceph's and ZooKeeper's own) and PVCKit's (pvckit_*); 404 while "
        + "subsystem.enable_prometheus is off"
    ])

  /// Health metrics (Prometheus)
  public static let metricsHealth = OperationSpec(
    "metrics.health", .get, "/metrics/health", summary: "Health metrics (Prometheus)", isOpen: true,
    responses: [200: "text"])

  /// Resource metrics (Prometheus)
  public static let metricsResource = OperationSpec(
    "metrics.resource", .get, "/metrics/resource", summary: "Resource metrics (Prometheus)", isOpen: true,
    responses: [200: "text"])

  /// Ceph's own metrics (Prometheus), from the active manager
  public static let metricsCeph = OperationSpec(
    "metrics.ceph", .get, "/metrics/ceph", summary: "Ceph's own metrics (Prometheus), from the active manager",
    isOpen: true, responses: [200: "text", 400: "Message"],
    notes: [
      "As upstream: the text of the Ceph manager's prometheus module (found with `mgr services`); 400 when Ceph "
        + "or the module does not answer"
    ])

  /// ZooKeeper's own metrics (Prometheus), from its servers
  public static let metricsZooKeeper = OperationSpec(
    "metrics.zookeeper", .get, "/metrics/zookeeper", summary: "ZooKeeper's own metrics (Prometheus), from its servers",
    isOpen: true, responses: [200: "text"],
    notes: [
      "Each server's mntr figures as zk_* gauges labelled with the server (text figures as labels), zk_up 0 for a "
        + "server that does not answer"
    ])

  /// Every operation of this area.
  static let metricsOperations: [OperationSpec] = [
    metrics, metricsHealth, metricsResource, metricsCeph, metricsZooKeeper,
  ]
}
