import Foundation
import PVCKit
import PVCKitFixtures
import Testing

@testable import PVCKitAPI

/// Responses checked against upstream's definitions, and malformed requests
/// thrown at every route.
@Suite("HTTP API: upstream contract and fuzzing")
struct APIContractTests {
  /// Fields upstream documents with one type and sends with another; PVCKit sends what upstream sends.
  static let documentedDifferently: [String: Set<String>] = [
    // Documented as a string; upstream sends the VM's boolean.
    "VMMetadata": ["node_autostart"],
    // Documented as a string; upstream sends a list of names.
    "node": ["running_domains"],
  ]

  @Test("every implemented GET answers in the shape of upstream's definition")
  func shapes() async throws {
    try await APITestHarness.with(vms: 4) { api in
      let contract = try UpstreamContract.load()
      try await api.cluster.faults.report([FaultReport(id: "VM_FAILED_x", healthDelta: 10, message: "VM x failed")])
      let vm = UpstreamSeeder.name(2)
      let checks: [(String, String)] = [
        ("/", "API-Version"), ("/status", "ClusterStatus"), ("/faults", "fault"), ("/faults/VM_FAILED_x", "fault"),
        ("/node", "node"), ("/node/hv1", "node"), ("/node/hv1/daemon-state", "NodeDaemonState"),
        ("/node/hv1/coordinator-state", "NodeCoordinatorState"), ("/node/hv1/domain-state", "NodeDomainState"),
        ("/node/hv1/log", "NodeLog"), ("/vm", "vm"), ("/vm/\(vm)", "vm"), ("/vm/\(vm)/meta", "VMMetadata"),
        ("/vm/\(vm)/state", "VMState"), ("/vm/\(vm)/node", "VMNode"), ("/vm/\(vm)/console", "VMLog"),
      ]
      for (path, definition) in checks {
        let response = try await api.call(.get, path)
        #expect(response.status == 200, "GET \(path): \(response.status) \(response.text)")
        for element in try JSONValue.parse(response.body).elements {
          let problems = contract.problems(
            element, against: definition, except: Self.documentedDifferently[definition] ?? [])
          #expect(problems.isEmpty, "GET \(path): \(problems)")
        }
      }
    }
  }

  /// Values no parameter of this kind accepts.
  static func malformed(_ kind: ParameterSpec.Kind) -> [String] {
    switch kind {
    case .boolean: ["maybe", "2", "truee", "\u{0}"]
    case .integer: ["x", "1.5", "-99999999999999999999", "0x10", ""]
    case .choice: ["bogus", "START", "start\u{0}"]
    case .string: ["a\u{1}b", String(repeating: "z", count: 5000), "line\nbreak"]
    case .text: ["\u{0}"]
    }
  }

  static let hostilePathValues = [
    "nothere", "..", "a%00b", "%2e%2e%2fetc", String(repeating: "n", count: 300), "x%0Ay", "'; DROP TABLE x; --",
    "<script>", "hv9",
  ]

  @Test("malformed parameters and hostile path values at every route: never a 5xx, nothing changes")
  func fuzz() async throws {
    try await APITestHarness.with(vms: 3) { api in
      let before = try await api.cluster.backup()
      var answered = 0
      for route in api.server.routes {
        let paths: [String] =
          route.pathParameters.isEmpty
          ? [route.path]
          : Self.hostilePathValues.map { value in
            route.pathParameters.reduce(route.path) { $0.replacingOccurrences(of: "{\($1)}", with: value) }
          }
        for path in paths {
          // Every declared parameter malformed in turn, the others left out; then all at once.
          var attempts: [[(String, String)]] = route.parameters.flatMap { spec in
            Self.malformed(spec.kind).map { [(spec.name, $0)] }
          }
          attempts.append(route.parameters.map { ($0.name, Self.malformed($0.kind)[0]) })
          attempts.append([("unknown", "\u{7f}"), ("limit", "(((")])
          for parameters in attempts {
            for form in [false, true] where form == false || route.method != .get {
              let response = try await api.call(route.method, path, parameters, form: form)
              answered += 1
              #expect(
                response.status < 500,
                "\(route.method) \(path) \(parameters.map(\.0)): \(response.status) \(response.text)")
            }
          }
        }
      }
      #expect(answered > 500)
      #expect(try await api.cluster.backup() == before, "a malformed request changed the cluster")
    }
  }
}
