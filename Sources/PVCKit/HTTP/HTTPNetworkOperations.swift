/// Network operations through a PVC HTTP API.
struct HTTPNetworkOperations: NetworkOperations {
  let client: APIClient

  func list(limit: String?) async throws -> [NetworkInfo] {
    let response = try await client.send(.networkList, [], limit.map { [("limit", $0)] } ?? [])
    if response.status == 404 { return [] }
    guard response.status == 200 else { throw response.refusal }
    return try response.decode([NetworkInfo].self)
  }

  func info(_ vni: Int) async throws -> NetworkInfo {
    let response = try await client.send(.networkInfo, [String(vni)])
    guard response.status != 404 else { throw NetworkError.notFound(vni) }
    guard response.status == 200, let network = try response.decode([NetworkInfo].self).first else {
      throw response.refusal
    }
    return network
  }

  func add(_ network: NetworkDefinition) async throws {
    var parameters: [(String, String)] = [
      ("vni", String(network.vni)), ("description", network.description), ("nettype", network.type.rawValue),
      ("dhcp4", String(network.dhcp4)),
    ]
    if let mtu = network.mtu { parameters.append(("mtu", String(mtu))) }
    let optional: [(String, String?)] = [
      ("domain", network.domain), ("ip4_network", network.ip4Network), ("ip4_gateway", network.ip4Gateway),
      ("dhcp4_start", network.dhcp4Start), ("dhcp4_end", network.dhcp4End), ("ip6_network", network.ip6Network),
      ("ip6_gateway", network.ip6Gateway),
    ]
    parameters += optional.compactMap { name, value in value.map { (name, $0) } }
    parameters += network.nameServers.map { ("name_servers", $0) }
    _ = try await client.expect(.networkAdd, [], parameters)
  }

  func modify(_ vni: Int, _ change: NetworkChange) async throws {
    guard !change.isEmpty else { throw NetworkError.invalid("no changes to apply") }
    var parameters: [(String, String)] = []
    if let mtu = change.mtu { parameters.append(("mtu", String(mtu))) }
    if let dhcp4 = change.dhcp4 { parameters.append(("dhcp4", String(dhcp4))) }
    let optional: [(String, String?)] = [
      ("description", change.description), ("domain", change.domain), ("ip4_network", change.ip4Network),
      ("ip4_gateway", change.ip4Gateway), ("dhcp4_start", change.dhcp4Start), ("dhcp4_end", change.dhcp4End),
      ("ip6_network", change.ip6Network), ("ip6_gateway", change.ip6Gateway),
    ]
    parameters += optional.compactMap { name, value in value.map { (name, $0) } }
    if let servers = change.nameServers {
      // An empty value clears the list.
      parameters += servers.isEmpty ? [("name_servers", "")] : servers.map { ("name_servers", $0) }
    }
    _ = try await client.expect(.networkModify, [String(vni)], parameters)
  }

  func remove(_ vni: Int) async throws {
    _ = try await client.expect(.networkRemove, [String(vni)])
  }

  func leases(_ vni: Int, limit: String?, staticOnly: Bool) async throws -> [NetworkLease] {
    var parameters = [("static", String(staticOnly))]
    if let limit { parameters.append(("limit", limit)) }
    let response = try await client.send(.networkLeaseList, [String(vni)], parameters)
    if response.status == 404 {
      _ = try await info(vni)  // a missing network is an error; no lease is an empty list
      return []
    }
    guard response.status == 200 else { throw response.refusal }
    return try response.decode([NetworkLease].self)
  }

  func addReservation(_ vni: Int, mac: String, ip: String, hostname: String) async throws {
    _ = try await client.expect(
      .networkLeaseAdd, [String(vni)], [("macaddress", mac), ("ipaddress", ip), ("hostname", hostname)])
  }

  func removeReservation(_ vni: Int, mac: String) async throws {
    _ = try await client.expect(.networkLeaseRemove, [String(vni), mac])
  }

  func acls(_ vni: Int, limit: String?, direction: Layout.RuleDirection?) async throws -> [NetworkACL] {
    var parameters: [(String, String)] = []
    if let limit { parameters.append(("limit", limit)) }
    if let direction { parameters.append(("direction", direction.rawValue)) }
    let response = try await client.send(.networkACLList, [String(vni)], parameters)
    if response.status == 404 {
      _ = try await info(vni)  // a missing network is an error; no rule is an empty list
      return []
    }
    guard response.status == 200 else { throw response.refusal }
    return try response.decode([NetworkACL].self)
  }

  func addACL(_ vni: Int, description: String, direction: Layout.RuleDirection, order: Int?, rule: String)
    async throws
  {
    var parameters = [("description", description), ("direction", direction.rawValue), ("rule", rule)]
    if let order { parameters.append(("order", String(order))) }
    _ = try await client.expect(.networkACLAdd, [String(vni)], parameters)
  }

  func removeACL(_ vni: Int, description: String) async throws {
    _ = try await client.expect(.networkACLRemove, [String(vni), description])
  }

  func sriovPhysicalFunctions(node: String) async throws -> [SRIOVPhysicalFunction] {
    let response = try await client.send(.sriovPFList, [node])
    if response.status == 404 { return [] }
    guard response.status == 200 else { throw response.refusal }
    return try response.decode([SRIOVPhysicalFunction].self)
  }

  func sriovVirtualFunctions(node: String, pf: String?) async throws -> [SRIOVVirtualFunction] {
    let response = try await client.send(.sriovVFList, [node], pf.map { [("pf", $0)] } ?? [])
    if response.status == 404 { return [] }
    guard response.status == 200 else { throw response.refusal }
    return try response.decode([SRIOVVirtualFunction].self)
  }

  func setSRIOVVirtualFunction(node: String, vf: String, _ change: SRIOVVirtualFunctionChange) async throws {
    try change.check()
    var parameters: [(String, String)] = []
    let numbers: [(String, Int?)] = [
      ("vlan_id", change.vlanID), ("vlan_qos", change.vlanQoS), ("tx_rate_min", change.txRateMin),
      ("tx_rate_max", change.txRateMax),
    ]
    parameters += numbers.compactMap { name, value in value.map { (name, String($0)) } }
    if let state = change.linkState { parameters.append(("link_state", state)) }
    let flags: [(String, Bool?)] = [
      ("spoof_check", change.spoofCheck), ("trust", change.trust), ("query_rss", change.queryRSS),
    ]
    parameters += flags.compactMap { name, value in value.map { (name, String($0)) } }
    _ = try await client.expect(.sriovVFSet, [node, vf], parameters)
  }
}
