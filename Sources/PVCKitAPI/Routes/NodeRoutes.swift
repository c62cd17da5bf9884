import HTTPTypes
import Hummingbird
import PVCKit

/// `/node`: nodes, their states, flush and ready, the primary role, logs.
enum NodeRoutes {
  /// Upstream's code reads `state`, its documentation says `action`: both are accepted.
  static func stateParameters(_ words: [String], _ help: String) -> [ParameterSpec] {
    [.choice("state", words, help), .choice("action", words, "Same as state")]
  }

  static let all: [APIRoute] = [
    APIRoute(
      method: .get, path: "/node", summary: "The nodes (404 when none match)",
      parameters: [
        .string("limit", "A name pattern: a regular expression, fuzzy unless anchored with ^ or $"),
        .string("daemon_state", "Only nodes in this daemon state"),
        .string("coordinator_state", "Only nodes in this coordinator state"),
        .string("domain_state", "Only nodes in this domain state"),
      ],
      responses: [200: "array:node", 404: "Message"]
    ) { call in
      let p = call.parameters
      let filter = NodeFilter(
        limit: p.string("limit"), daemonState: p.string("daemon_state").map(NodeDaemonState.init(rawValue:)),
        coordinatorState: p.string("coordinator_state").map(NodeCoordinatorState.init(rawValue:)),
        domainState: p.string("domain_state").map(NodeDomainState.init(rawValue:)))
      let cluster = call.cluster
      let nodes = try await cluster.nodes.list(filter)
      return nodes.isEmpty ? Responses.message("Node not found.", status: .notFound) : try Responses.json(nodes)
    },
    APIRoute(
      method: .get, path: "/node/{node}", summary: "One node (as a one-element list)",
      responses: [200: "array:node", 404: "Message"]
    ) { call in
      try await withNode(call) { try Responses.json([$0]) }
    },
    APIRoute(
      method: .get, path: "/node/{node}/daemon-state", summary: "A node's daemon state",
      responses: [200: "NodeDaemonState", 404: "Message"]
    ) { call in
      try await withNode(call) { try Responses.json(["name": $0.name, "daemon_state": $0.daemonState.rawValue]) }
    },
    APIRoute(
      method: .get, path: "/node/{node}/coordinator-state", summary: "A node's coordinator state",
      responses: [200: "NodeCoordinatorState", 404: "Message"]
    ) { call in
      try await withNode(call) {
        try Responses.json(["name": $0.name, "coordinator_state": $0.coordinatorState.rawValue])
      }
    },
    APIRoute(
      method: .post, path: "/node/{node}/coordinator-state", summary: "Make a coordinator primary, or step it down",
      parameters: stateParameters(NodeCoordinatorRole.allCases.map(\.rawValue), "primary or secondary"),
      responses: [200: "Message", 400: "Message"]
    ) { call in
      let role = NodeCoordinatorRole(rawValue: try state(call))!
      return Responses.message(try await call.cluster.nodes.setCoordinatorState(call.path("node"), role, wait: false))
    },
    APIRoute(
      method: .get, path: "/node/{node}/domain-state", summary: "A node's domain state",
      responses: [200: "NodeDomainState", 404: "Message"]
    ) { call in
      try await withNode(call) { try Responses.json(["name": $0.name, "domain_state": $0.domainState.rawValue]) }
    },
    APIRoute(
      method: .post, path: "/node/{node}/domain-state",
      summary: "Flush a node (move its VMs away) or make it ready (bring them back)",
      parameters: stateParameters(["flush", "ready", "unflush"], "flush, or ready (unflush)")
        + [.boolean("wait", "Answer once the node is flushed or ready (the work runs as a task on the node)")],
      responses: [200: "Message", 400: "Message"]
    ) { call in
      let action: NodeDomainAction = try state(call) == "flush" ? .flush : .ready
      let node = call.path("node")
      guard call.parameters.flag("wait") else {
        return Responses.message(try await call.cluster.nodes.setDomainState(node, action, wait: false))
      }
      _ = try await call.cluster.nodes.info(node)
      let arguments = NodeFlushTask.Arguments(node: node)
      return action == .flush
        ? try await TaskRoutes.waited(call, NodeFlushTask.self, arguments)
        : try await TaskRoutes.waited(call, NodeReadyTask.self, arguments)
    },
    APIRoute(
      method: .get, path: "/node/{node}/log", summary: "A node daemon's recent log lines",
      parameters: [.integer("lines", 1...100_000, "How many lines (default 10)")],
      responses: [200: "NodeLog", 404: "Message"]
    ) { call in
      let node = call.path("node")
      let text = try await call.cluster.nodes.log(node, lines: call.parameters.int("lines") ?? 10)
      return try Responses.json(["name": node, "data": text])
    },
  ]

  /// Runs `body` with the node, or answers upstream's 404.
  static func withNode(_ call: APICall, _ body: (NodeInfo) throws -> Response) async throws -> Response {
    do {
      return try body(try await call.cluster.nodes.info(call.path("node")))
    } catch NodeError.notFound {
      return Responses.message("Node not found.", status: .notFound)
    }
  }

  /// The requested state (`state`, or `action`).
  static func state(_ call: APICall) throws -> String {
    guard let value = call.parameters.string("state") ?? call.parameters.string("action") else {
      throw APIError.parameter("state", "the state to set (required)")
    }
    return value
  }
}
