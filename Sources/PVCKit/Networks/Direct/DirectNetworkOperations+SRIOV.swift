/// SR-IOV functions as the nodes' daemons record them (`/nodes/<node>/sriov/{pf,vf}`).
extension DirectNetworkOperations {
  func sriovPhysicalFunctions(node: String) async throws -> [SRIOVPhysicalFunction] {
    let vfs = try await sriovVirtualFunctions(node: node, pf: nil)
    let parent = try Layout.node(node).path(.sriovPF)
    let checked = Layout.refs(try await children(parent), under: parent) { try Layout.sriovPF($0, node: node) }
    let records = try await zookeeper.records(checked.refs)
    await RecordProblems.report(checked.problems, zookeeper: zookeeper)
    return zip(checked.names, records).map { phy, record in
      SRIOVPhysicalFunction(phy: phy, mtu: record[.mtu] ?? "", vfs: vfs.filter { $0.pf == phy }.map(\.phy))
    }
  }

  func sriovVirtualFunctions(node: String, pf: String?) async throws -> [SRIOVVirtualFunction] {
    let parent = try Layout.node(node).path(.sriovVF)
    let checked = Layout.refs(try await children(parent), under: parent) { try Layout.sriovVF($0, node: node) }
    let records = try await zookeeper.records(checked.refs)
    await RecordProblems.report(checked.problems, zookeeper: zookeeper)
    return zip(checked.names, records).map { phy, record in
      func flag(_ key: SRIOVVirtualKey) -> Bool { (record[key] ?? "").lowercased() == "true" }
      return SRIOVVirtualFunction(
        phy: phy, pf: record[.pf] ?? "", mtu: Int(record[.mtu] ?? "") ?? 0, mac: record[.mac] ?? "",
        config: .init(
          vlanID: record[.vlanID] ?? "", vlanQoS: record[.vlanQoS] ?? "", txRateMin: record[.txRateMin] ?? "",
          txRateMax: record[.txRateMax] ?? "", linkState: record[.linkState] ?? "", spoofCheck: flag(.spoofCheck),
          trust: flag(.trust), queryRSS: flag(.queryRSS)),
        usage: .init(used: flag(.used), domain: record[.usedBy] ?? ""))
    }.filter { pf == nil || $0.pf == pf }
  }

  func setSRIOVVirtualFunction(node: String, vf: String, _ change: SRIOVVirtualFunctionChange) async throws {
    try change.check()
    guard let ref = try? Layout.sriovVF(vf, node: node), try await zookeeper.exists(ref.path(.root)) != nil else {
      throw NetworkError.vfNotFound(node: node, vf: vf)
    }
    var values: [SRIOVVirtualKey: String] = [:]
    values[.vlanID] = change.vlanID.map(String.init)
    values[.vlanQoS] = change.vlanQoS.map(String.init)
    values[.txRateMin] = change.txRateMin.map(String.init)
    values[.txRateMax] = change.txRateMax.map(String.init)
    values[.linkState] = change.linkState
    values[.spoofCheck] = change.spoofCheck.map { $0 ? "True" : "False" }
    values[.trust] = change.trust.map { $0 ? "True" : "False" }
    values[.queryRSS] = change.queryRSS.map { $0 ? "True" : "False" }
    _ = try await zookeeper.multi(
      values.sorted { $0.key.spec.path < $1.key.spec.path }.map { .set(ref.path($0.key), $0.value) })
  }

  /// The children of `path`, sorted (none when the node has no SR-IOV record).
  private func children(_ path: String) async throws -> [String] {
    do {
      return try await zookeeper.children(path).sorted()
    } catch let error as ZooKeeperError where error.code == .noNode {
      return []
    }
  }
}
