/// The Prometheus metrics (`/metrics`).
extension OperationSpec {
  /// Health and resource metrics (Prometheus)
  public static let metrics = OperationSpec(
    "metrics", .get, "/metrics", summary: "Health and resource metrics (Prometheus)", isOpen: true,
    responses: [200: "text"])

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

  /// Every operation of this area.
  static let metricsOperations: [OperationSpec] = [metrics, metricsHealth, metricsResource, metricsCeph]
}
