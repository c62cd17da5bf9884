/// The operations on faults (`/faults`).
extension OperationSpec {
  /// The cluster's faults
  public static let faultList = OperationSpec(
    "fault.list", .get, "/faults", summary: "The cluster's faults",
    parameters: [.choice("sort_key", FaultSortKey.allCases.map(\.rawValue), "Sort by this field")],
    responses: [200: "array:fault"])

  /// Acknowledge every fault
  public static let faultAcknowledgeAll = OperationSpec(
    "fault.acknowledge-all", .put, "/faults", summary: "Acknowledge every fault",
    responses: [200: "Message"])

  /// Delete every fault
  public static let faultDeleteAll = OperationSpec(
    "fault.delete-all", .delete, "/faults", summary: "Delete every fault",
    responses: [200: "Message"])

  /// One fault (as a one-element list)
  public static let faultInfo = OperationSpec(
    "fault.info", .get, "/faults/{fault_id}", summary: "One fault (as a one-element list)",
    responses: [200: "array:fault", 404: "Message"])

  /// Acknowledge a fault
  public static let faultAcknowledge = OperationSpec(
    "fault.acknowledge", .put, "/faults/{fault_id}", summary: "Acknowledge a fault",
    responses: [200: "Message", 404: "Message"])

  /// Delete a fault
  public static let faultDelete = OperationSpec(
    "fault.delete", .delete, "/faults/{fault_id}", summary: "Delete a fault",
    responses: [200: "Message", 404: "Message"])

  /// Every operation of this area.
  static let faultOperations: [OperationSpec] = [
    faultList, faultAcknowledgeAll, faultDeleteAll, faultInfo, faultAcknowledge, faultDelete,
  ]
}
