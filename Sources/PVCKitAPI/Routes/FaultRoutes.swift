import HTTPTypes
import Hummingbird
import PVCKit

/// `/faults`: list, acknowledge and delete cluster faults.
enum FaultRoutes {
  static let all: [APIRoute] = [
    APIRoute(
      method: .get, path: "/faults", summary: "The cluster's faults",
      parameters: [.choice("sort_key", FaultSortKey.allCases.map(\.rawValue), "Sort by this field")],
      responses: [200: "array:fault"]
    ) { call in
      let key = call.parameters.string("sort_key").flatMap(FaultSortKey.init(rawValue:)) ?? .lastReported
      return try Responses.json(try await call.cluster.faults.list(sortedBy: key))
    },
    APIRoute(method: .put, path: "/faults", summary: "Acknowledge every fault", responses: [200: "Message"]) { call in
      try await call.cluster.faults.acknowledgeAll()
      return Responses.message("Successfully acknowledged all cluster faults.")
    },
    APIRoute(method: .delete, path: "/faults", summary: "Delete every fault", responses: [200: "Message"]) { call in
      try await call.cluster.faults.deleteAll()
      return Responses.message("Successfully deleted all cluster faults.")
    },
    APIRoute(
      method: .get, path: "/faults/{fault_id}", summary: "One fault (as a one-element list)",
      responses: [200: "array:fault", 404: "Message"]
    ) { call in
      try Responses.json([try await call.cluster.faults.fault(call.path("fault_id"))])
    },
    APIRoute(
      method: .put, path: "/faults/{fault_id}", summary: "Acknowledge a fault",
      responses: [200: "Message", 404: "Message"]
    ) { call in
      let id = call.path("fault_id")
      try await call.cluster.faults.acknowledge([id])
      return Responses.message("Successfully acknowledged fault \(id).")
    },
    APIRoute(
      method: .delete, path: "/faults/{fault_id}", summary: "Delete a fault",
      responses: [200: "Message", 404: "Message"]
    ) { call in
      let id = call.path("fault_id")
      try await call.cluster.faults.delete([id])
      return Responses.message("Successfully deleted fault \(id).")
    },
  ]
}
