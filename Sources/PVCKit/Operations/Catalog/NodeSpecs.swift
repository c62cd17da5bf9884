/// The operations on nodes (`/node`).
extension OperationSpec {
  /// Upstream's code reads `state`, its documentation says `action`: both are accepted.
  static func nodeStateParameters(_ words: [String], _ help: String) -> [OperationParameter] {
    [.choice("state", words, help), .choice("action", words, "Same as state")]
  }

  /// The nodes (404 when none match)
  public static let nodeList = OperationSpec(
    "node.list", .get, "/node", summary: "The nodes (404 when none match)",
    parameters: [
      .string("limit", "A name pattern: a regular expression, fuzzy unless anchored with ^ or $"),
      .string("daemon_state", "Only nodes in this daemon state"),
      .string("coordinator_state", "Only nodes in this coordinator state"),
      .string("domain_state", "Only nodes in this domain state"),
    ],
    responses: [200: "array:node", 404: "Message"])

  /// One node (as a one-element list)
  public static let nodeInfo = OperationSpec(
    "node.info", .get, "/node/{node}", summary: "One node (as a one-element list)",
    responses: [200: "array:node", 404: "Message"])

  /// A node's daemon state
  public static let nodeDaemonState = OperationSpec(
    "node.daemon-state", .get, "/node/{node}/daemon-state", summary: "A node's daemon state",
    responses: [200: "NodeDaemonState", 404: "Message"])

  /// A node's coordinator state
  public static let nodeCoordinatorState = OperationSpec(
    "node.coordinator-state", .get, "/node/{node}/coordinator-state", summary: "A node's coordinator state",
    responses: [200: "NodeCoordinatorState", 404: "Message"])

  /// Make a coordinator primary, or step it down
  public static let nodeSetCoordinatorState = OperationSpec(
    "node.set-coordinator-state", .post, "/node/{node}/coordinator-state",
    summary: "Make a coordinator primary, or step it down",
    parameters: nodeStateParameters(NodeCoordinatorRole.allCases.map(\.rawValue), "primary or secondary"),
    responses: [200: "Message", 400: "Message"])

  /// A node's domain state
  public static let nodeDomainState = OperationSpec(
    "node.domain-state", .get, "/node/{node}/domain-state", summary: "A node's domain state",
    responses: [200: "NodeDomainState", 404: "Message"])

  /// Flush a node (move its VMs away) or make it ready (bring them back)
  public static let nodeSetDomainState = OperationSpec(
    "node.set-domain-state", .post, "/node/{node}/domain-state",
    summary: "Flush a node (move its VMs away) or make it ready (bring them back)",
    parameters: nodeStateParameters(["flush", "ready", "unflush"], "flush, or ready (unflush)")
      + [.boolean("wait", "Wait until the node is flushed or ready (the work runs as a task on the node)")],
    responses: [200: "Message", 400: "Message"])

  /// A node daemon's recent log lines
  public static let nodeLog = OperationSpec(
    "node.log", .get, "/node/{node}/log", summary: "A node daemon's recent log lines",
    parameters: [.integer("lines", 1...100_000, "How many lines")],
    responses: [200: "NodeLog", 404: "Message"])

  /// Every operation of this area.
  static let nodeOperations: [OperationSpec] = [
    nodeList, nodeInfo, nodeDaemonState, nodeCoordinatorState, nodeSetCoordinatorState, nodeDomainState,
    nodeSetDomainState, nodeLog,
  ]
}
