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

  /// Every operation of this area.
  static let metricsOperations: [OperationSpec] = [metrics, metricsHealth, metricsResource]
}
