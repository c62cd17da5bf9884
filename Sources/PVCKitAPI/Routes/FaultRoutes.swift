import HTTPTypes
import Hummingbird
import PVCKit

/// `/faults`: list, acknowledge and delete cluster faults.
enum FaultRoutes {
  static let all: [APIRoute] = [
    APIRoute(.faultList) { call in
      let key = call.parameters.string("sort_key").flatMap(FaultSortKey.init(rawValue:)) ?? .lastReported
      return try Responses.json(try await call.cluster.faults.list(sortedBy: key))
    },
    APIRoute(.faultAcknowledgeAll) { call in
      try await call.cluster.faults.acknowledgeAll()
      return Responses.message("Successfully acknowledged all cluster faults.")
    },
    APIRoute(.faultDeleteAll) { call in
      try await call.cluster.faults.deleteAll()
      return Responses.message("Successfully deleted all cluster faults.")
    },
    APIRoute(.faultInfo) { call in
      try Responses.json([try await call.cluster.faults.fault(call.path("fault_id"))])
    },
    APIRoute(.faultAcknowledge) { call in
      let id = call.path("fault_id")
      try await call.cluster.faults.acknowledge([id])
      return Responses.message("Successfully acknowledged fault \(id).")
    },
    APIRoute(.faultDelete) { call in
      let id = call.path("fault_id")
      try await call.cluster.faults.delete([id])
      return Responses.message("Successfully deleted fault \(id).")
    },
  ]
}
