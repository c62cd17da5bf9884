/// What a node daemon knows about the VMs assigned to it, shared by its parts.
actor NodeView {
  struct Assigned: Sendable, Hashable {
    var memoryMiB: Int
    var vcpus: Int
  }

  /// VMs whose record assigns them to this node, with their size.
  private(set) var assigned: [String: Assigned] = [:]

  func assign(_ uuid: String, _ value: Assigned?) {
    assigned[uuid] = value
  }

  /// Memory of every VM assigned here, running or not (upstream's `memprov`).
  var provisionedMemory: Int { assigned.values.saturatingSum(\.memoryMiB) }
}
