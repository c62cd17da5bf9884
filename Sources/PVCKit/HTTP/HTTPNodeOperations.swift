/// Node operations through a PVC HTTP API.
struct HTTPNodeOperations: NodeOperations {
  let client: APIClient

  func list(_ filter: NodeFilter) async throws -> [NodeInfo] {
    var parameters: [(String, String)] = []
    if let limit = filter.limit { parameters.append(("limit", limit)) }
    if let state = filter.daemonState { parameters.append(("daemon_state", state.rawValue)) }
    if let state = filter.coordinatorState { parameters.append(("coordinator_state", state.rawValue)) }
    if let state = filter.domainState { parameters.append(("domain_state", state.rawValue)) }
    let response = try await client.send(.nodeList, [], parameters)
    if response.status == 404 { return [] }
    guard response.status == 200 else { throw response.refusal }
    return try response.decode([NodeInfo].self)
  }

  func info(_ node: String) async throws -> NodeInfo {
    let response = try await client.send(.nodeInfo, [node])
    guard response.status != 404 else { throw NodeError.notFound(node) }
    guard response.status == 200, let info = try response.decode([NodeInfo].self).first else {
      throw response.refusal
    }
    return info
  }

  func setDomainState(_ node: String, _ action: NodeDomainAction, wait: Bool) async throws -> String {
    let parameters = [("state", action.rawValue), ("wait", String(wait))]
    guard wait else { return try await client.expect(.nodeSetDomainState, [node], parameters).message }
    return try await client.waiting(.nodeSetDomainState, [node], parameters)
  }

  func setCoordinatorState(_ node: String, _ role: NodeCoordinatorRole, wait: Bool) async throws -> String {
    let message = try await client.expect(.nodeSetCoordinatorState, [node], [("state", role.rawValue)])
      .message
    guard wait else { return message }
    // The API answers at once; follow the node until it holds the role.
    let wanted: NodeCoordinatorState = role == .primary ? .primary : .secondary
    let deadline = ContinuousClock.now + .seconds(60)
    while try await info(node).coordinatorState != wanted {
      guard ContinuousClock.now < deadline else {
        throw NodeError.timedOut("node \(node) to become \(wanted.rawValue)")
      }
      try await Task.sleep(for: .milliseconds(100))
    }
    return message
  }

  func primary() async throws -> String? {
    let response = try await client.send(.clusterPrimaryNode)
    guard response.status == 200 else { return nil }
    return try response.decode([String: String].self)["primary_node"]
  }

  func log(_ node: String, lines: Int) async throws -> String {
    let response = try await client.send(.nodeLog, [node], [("lines", String(lines))])
    guard response.status != 404 else { throw NodeError.notFound(node) }
    guard response.status == 200 else { throw response.refusal }
    return try response.decode([String: String].self)["data"] ?? ""
  }
}
