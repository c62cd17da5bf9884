import Foundation

/// One operation of the cluster's HTTP API, described once: upstream's method
/// and path, its parameters with their checks and help, what it answers, and
/// where PVCKit keeps an upstream quirk. pvcapi's router and OpenAPI document,
/// PVCKit's HTTP client and `pvc`'s help are all read from it; the catalog is in
/// `Operations/Catalog/`, one file per area.
///
/// Adding an operation: its spec in the catalog, the PVCKit call (direct and
/// HTTP, the HTTP one through ``request(_:parameters:)``), a route handler, and a CLI
/// command whose help comes from ``help(_:)``.
public struct OperationSpec: Sendable {
  /// An HTTP method.
  public enum Method: String, Sendable, CaseIterable {
    case get = "GET"
    case post = "POST"
    case put = "PUT"
    case delete = "DELETE"
    case patch = "PATCH"
  }

  /// Its name in PVCKit's catalog (`vm.migrate`), for messages and tests.
  public var id: String
  public var method: Method
  /// The path below `/api/v1`, with `{name}` for path parameters (OpenAPI's form).
  public var path: String
  public var summary: String
  /// Reachable without an API key (as upstream leaves it).
  public var isOpen: Bool
  public var parameters: [OperationParameter]
  /// The answers it gives: status code and what the body is.
  public var responses: [Int: String]
  /// Where PVCKit differs from upstream for this operation, or keeps one of its quirks.
  public var notes: [String]

  /// Describes an operation.
  public init(
    _ id: String, _ method: Method, _ path: String, summary: String, isOpen: Bool = false,
    parameters: [OperationParameter] = [], responses: [Int: String] = [200: "Message"], notes: [String] = []
  ) {
    self.id = id
    self.method = method
    self.path = path
    self.summary = summary
    self.isOpen = isOpen
    self.parameters = parameters
    self.responses = responses
    self.notes = notes
  }

  /// Whether upstream PVC has no such operation (a note saying "PVCKit extension" marks it).
  public var isExtension: Bool { notes.contains { $0.hasPrefix("PVCKit extension") } }

  /// The names of the path parameters, in order.
  public var pathParameters: [String] {
    path.split(separator: "/").filter { $0.hasPrefix("{") }.map { String($0.dropFirst().dropLast()) }
  }

  /// The declared parameter `name` (nil if there is none).
  public func parameter(_ name: String) -> OperationParameter? { parameters.first { $0.name == name } }

  /// The help of parameter `name` for a command line: its text, and what a
  /// choice or a number takes. (The name itself if it is not declared, which a
  /// test rules out for every use in `pvc`.)
  public func help(_ name: String) -> String {
    guard let parameter = parameter(name) else { return name }
    switch parameter.kind {
    case .choice(let words): return "\(parameter.help): \(words.joined(separator: ", "))."
    case .integer(let range): return "\(parameter.help) (\(range.lowerBound)-\(range.upperBound))."
    default: return parameter.help + "."
    }
  }

  /// A request for this operation: the path with `values` for its path
  /// parameters (in order), and the parameters given, each checked against its
  /// declaration. Used by PVCKit's HTTP client, so that it sends only what the
  /// operation declares, in a form the server accepts.
  /// - Throws: ``OperationError`` when a value is missing, undeclared or unacceptable.
  public func request(_ values: [String], parameters: [(String, String)] = []) throws -> (
    method: String, path: String, parameters: [(String, String)]
  ) {
    let names = pathParameters
    guard names.count == values.count else {
      throw OperationError(operation: id, problem: "expected \(names.count) path values, got \(values.count)")
    }
    var filled = path
    for (name, value) in zip(names, values) {
      guard !value.isEmpty else { throw OperationError(operation: id, problem: "\(name) is empty") }
      filled = filled.replacingOccurrences(of: "{\(name)}", with: value)
    }
    for (name, value) in parameters {
      guard let declared = parameter(name) else {
        throw OperationError(operation: id, problem: "\(name) is not one of its parameters")
      }
      if let problem = declared.problem(with: value) {
        throw OperationError(operation: id, problem: "\(name): \(problem)")
      }
    }
    for required in self.parameters where required.required && !parameters.contains(where: { $0.0 == required.name }) {
      throw OperationError(operation: id, problem: "\(required.name) is required")
    }
    return (method.rawValue, filled, parameters)
  }
}

/// A request that does not fit its operation's description.
public struct OperationError: ClassifiedError, Sendable, Hashable, CustomStringConvertible {
  /// The operation's ID.
  public var operation: String
  /// What is wrong.
  public var problem: String

  /// Creates an error for `operation`.
  public init(operation: String, problem: String) {
    self.operation = operation
    self.problem = problem
  }

  public var kind: ErrorKind { .invalid }
  public var description: String { "\(operation): \(problem)" }
}

extension OperationSpec {
  /// Every operation PVCKit describes, area by area.
  public static var all: [OperationSpec] {
    clusterOperations + dnsOperations + faultOperations + metricsOperations + networkOperations + nodeOperations
      + provisionerOperations
      + storageOperations
      + taskOperations
      + vmOperations
  }
}
