import HTTPTypes
import Hummingbird
import PVCKit

/// `/node`: nodes, their states, flush and ready, the primary role, logs.
enum NodeRoutes {
  static let all: [APIRoute] = [
    APIRoute(.nodeList) { call in
      let p = call.parameters
      let filter = NodeFilter(
        limit: p.string("limit"), daemonState: p.string("daemon_state").map(NodeDaemonState.init(rawValue:)),
        coordinatorState: p.string("coordinator_state").map(NodeCoordinatorState.init(rawValue:)),
        domainState: p.string("domain_state").map(NodeDomainState.init(rawValue:)))
      let cluster = call.cluster
      let nodes = try await cluster.nodes.list(filter)
      return nodes.isEmpty ? Responses.message("Node not found.", status: .notFound) : try Responses.json(nodes)
    },
    APIRoute(.nodeInfo) { call in
      try await withNode(call) { try Responses.json([$0]) }
    },
    APIRoute(.nodeDaemonState) { call in
      try await withNode(call) { try Responses.json(["name": $0.name, "daemon_state": $0.daemonState.rawValue]) }
    },
    APIRoute(.nodeCoordinatorState) { call in
      try await withNode(call) {
        try Responses.json(["name": $0.name, "coordinator_state": $0.coordinatorState.rawValue])
      }
    },
    APIRoute(.nodeSetCoordinatorState) { call in
      let role = NodeCoordinatorRole(rawValue: try state(call))!
      return Responses.message(try await call.cluster.nodes.setCoordinatorState(call.path("node"), role, wait: false))
    },
    APIRoute(.nodeDomainState) { call in
      try await withNode(call) { try Responses.json(["name": $0.name, "domain_state": $0.domainState.rawValue]) }
    },
    APIRoute(.nodeSetDomainState) { call in
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
    APIRoute(.nodeLog) { call in
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
