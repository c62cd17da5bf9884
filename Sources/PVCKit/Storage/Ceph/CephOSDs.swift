/// The cluster's OSDs as PVC manages them through monitor commands: in and out
/// of the data placement, and the cluster-wide OSD flags.
struct CephOSDs: Sendable {
  let rados: RadosConnection
  let zookeeper: ZooKeeper

  /// Takes a recorded OSD in or out.
  func setState(_ id: String, _ state: OSDState) async throws {
    guard let number = Int(id), number >= 0, String(number) == id else {
      throw StorageError.invalid("'\(OperationParameter.shown(id))' is not an OSD ID (a whole number)")
    }
    guard try await zookeeper.exists(Layout.osd(id).path(.root)) != nil else { throw StorageError.osdNotFound(id) }
    _ = try await rados.monitorCommand(["prefix": .string("osd \(state.rawValue)"), "ids": .array([.string(id)])])
  }

  /// Sets or clears a cluster-wide flag.
  func setFlag(_ flag: OSDFlag, _ enabled: Bool) async throws {
    var command: [String: JSONValue] = ["prefix": enabled ? "osd set" : "osd unset", "key": .string(flag.rawValue)]
    if enabled, [.pause, .full].contains(flag) { command["yes_i_really_mean_it"] = true }
    _ = try await rados.monitorCommand(command)
  }
}
