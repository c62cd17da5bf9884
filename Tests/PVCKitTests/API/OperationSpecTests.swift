import Foundation
import PVCKit
import Testing

@testable import PVCKitAPI

/// The operations are described once (``OperationSpec``); the API serves
/// exactly them, the HTTP client builds requests from them, and `pvc` takes
/// its help from them.
@Suite("Operation descriptions")
struct OperationSpecTests {
  @Test("the API serves exactly the described operations, each once")
  func routesAreTheCatalog() {
    let routes = APIServer.allRoutes.map(\.spec.id)
    let catalog = OperationSpec.all.map(\.id)
    #expect(routes.sorted() == catalog.sorted())
    #expect(Set(catalog).count == catalog.count, "an ID is used twice")
    let endpoints = OperationSpec.all.map { "\($0.method.rawValue) \($0.path)" }
    #expect(Set(endpoints).count == endpoints.count, "an endpoint is described twice")
    for spec in OperationSpec.all {
      #expect(Set(spec.parameters.map(\.name)).count == spec.parameters.count, "\(spec.id) repeats a parameter")
      #expect(!spec.summary.isEmpty && spec.path.hasPrefix("/"), "\(spec.id)")
    }
  }

  @Test("a request is built only from declared, acceptable parameters")
  func requests() throws {
    let built = try OperationSpec.vmSetNode.request(
      ["web1"], parameters: [("action", "migrate"), ("node", "hv2"), ("wait", "true")])
    #expect(built.method == "POST" && built.path == "/vm/web1/node")
    #expect(built.parameters.map(\.0) == ["action", "node", "wait"])
    let refusals: [(OperationSpec, [String], [(String, String)])] = [
      (.vmSetNode, ["web1"], [("action", "migrate"), ("bogus", "1")]),  // not declared
      (.vmSetNode, ["web1"], [("action", "teleport")]),  // not one of the choices
      (.vmSetNode, ["web1"], [("node", "hv2")]),  // action is required
      (.vmSetNode, [], [("action", "move")]),  // the VM is missing
      (.nodeLog, ["hv1"], [("lines", "0")]),  // out of range
      (.vmInfo, [""], []),  // empty path value
    ]
    for (spec, path, parameters) in refusals {
      #expect(throws: OperationError.self, "\(spec.id) \(parameters)") {
        try spec.request(path, parameters: parameters)
      }
      #expect(ErrorKind(of: OperationError(operation: spec.id, problem: "x")) == .invalid)
    }
  }

  @Test("pvc's options take their help from parameters that exist")
  func cliHelpIsDeclared() throws {
    let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
      "../../../Sources/pvc"
    ).standardized
    let files =
      FileManager.default.enumerator(at: sources, includingPropertiesForKeys: nil)?
      .compactMap { $0 as? URL }.filter { $0.pathExtension == "swift" } ?? []
    let pattern = try Regex(#"OperationSpec\.(\w+)\.help\("([^"]+)"\)"#)
    var uses = 0
    for file in files {
      let text = try String(contentsOf: file, encoding: .utf8)
      for match in text.matches(of: pattern) {
        let operation = String(match.output[1].substring ?? "")
        let parameter = String(match.output[2].substring ?? "")
        // Names and IDs differ only in case (`vmSetNode`, `vm.set-node`; `networkACLList`, `network.acl-list`).
        let spec = OperationSpec.all.first { Self.staticName(of: $0).lowercased() == operation.lowercased() }
        #expect(spec != nil, "\(file.lastPathComponent): no operation \(operation)")
        #expect(spec?.parameter(parameter) != nil, "\(file.lastPathComponent): \(operation) has no \(parameter)")
        uses += 1
      }
    }
    #expect(uses >= 30, "pvc takes the help of \(uses) options from the operations")
  }

  /// `vm.set-node` is `OperationSpec.vmSetNode`: the catalog's names follow the IDs.
  static func staticName(of spec: OperationSpec) -> String {
    if spec.id == "openapi" { return "openAPIDocument" }
    let parts = spec.id.split(whereSeparator: { $0 == "." || $0 == "-" })
    guard let first = parts.first else { return "" }
    return String(first) + parts.dropFirst().map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
  }
}
