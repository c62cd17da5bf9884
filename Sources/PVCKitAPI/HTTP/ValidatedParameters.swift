import PVCKit
import PVCKitServer

/// A request's parameters, checked against its route's declarations.
struct ValidatedParameters: Sendable {
  private let parameters: RequestParameters

  /// Checks every declared parameter; the first problem becomes a 400 naming it.
  init(_ parameters: RequestParameters, against specs: [OperationParameter]) throws(APIError) {
    for spec in specs {
      let values = parameters.all(spec.name)
      if values.isEmpty {
        if spec.required { throw .parameter(spec.name, "\(spec.help) (required)") }
        continue
      }
      if !spec.repeated && values.count > 1 { throw .parameter(spec.name, "given more than once") }
      for value in values {
        if let problem = spec.problem(with: value) { throw .parameter(spec.name, problem) }
      }
    }
    self.parameters = parameters
  }

  /// A text parameter (nil when absent; an empty value counts as absent).
  func string(_ name: String) -> String? {
    guard let value = parameters.first(name), !value.isEmpty else { return nil }
    return value
  }
  /// A text parameter as given, an empty value included (which clears a setting); nil when absent.
  func raw(_ name: String) -> String? { parameters.first(name) }
  /// Whether the parameter was given at all.
  func isGiven(_ name: String) -> Bool { parameters.first(name) != nil }
  /// Every value of a repeated parameter.
  func strings(_ name: String) -> [String] { parameters.all(name).filter { !$0.isEmpty } }
  /// A boolean parameter (nil when absent).
  func bool(_ name: String) -> Bool? { parameters.first(name).flatMap(OperationParameter.boolean(from:)) }
  /// A boolean parameter, false when absent.
  func flag(_ name: String) -> Bool { bool(name) ?? false }
  /// A whole-number parameter (nil when absent).
  func int(_ name: String) -> Int? { parameters.first(name).flatMap { Int($0) } }
  /// Whether the parameter came in the URL's query string rather than the body.
  func isInQuery(_ name: String) -> Bool { parameters.isInQuery(name) }
}
