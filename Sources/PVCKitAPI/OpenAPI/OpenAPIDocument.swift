import Foundation
import PVCKit

/// The OpenAPI 3 document of the implemented endpoints, written from the same
/// route list the router is built from.
enum OpenAPIDocument {
  static func json(for routes: [APIRoute]) throws -> Data {
    var paths: [String: [String: Any]] = [:]
    for route in routes {
      paths[APIServer.prefix + route.path, default: [:]][route.method.rawValue.lowercased()] = operation(route)
    }
    let document: [String: Any] = [
      "openapi": "3.0.3",
      "info": [
        "title": "PVCKit API (PVC API v1)", "version": "1.0",
        "description": "Upstream PVC's HTTP API v1, served by PVCKit \(PVCKitVersion.string).",
      ],
      "paths": paths,
      "components": [
        "securitySchemes": ["apiKey": ["type": "apiKey", "in": "header", "name": "X-Api-Key"]],
        "schemas": [
          "Message": ["type": "object", "properties": ["message": ["type": "string"]]]
        ],
      ],
    ]
    return try JSONSerialization.data(withJSONObject: document, options: [.sortedKeys, .withoutEscapingSlashes])
  }

  static func operation(_ route: APIRoute) -> [String: Any] {
    var parameters: [[String: Any]] = route.pathParameters.map {
      ["name": $0, "in": "path", "required": true, "schema": ["type": "string"]]
    }
    parameters += route.parameters.map { spec in
      var schema = self.schema(spec.kind)
      if spec.repeated { schema = ["type": "array", "items": schema] }
      return ["name": spec.name, "in": "query", "required": spec.required, "description": spec.help, "schema": schema]
    }
    var responses: [String: Any] = [:]
    for (code, body) in route.responses {
      var response: [String: Any] = ["description": body]
      if body == "Message" {
        response["content"] = ["application/json": ["schema": ["$ref": "#/components/schemas/Message"]]]
      }
      responses[String(code)] = response
    }
    if !route.isOpen {
      responses["401"] = ["description": "Missing or wrong API key"]
      if route.spec.requiredRole > .readOnly {
        responses["403"] = ["description": "The token's role is below \(route.spec.requiredRole.rawValue)"]
      }
    }
    var operation: [String: Any] = ["summary": route.summary, "parameters": parameters, "responses": responses]
    operation["security"] = route.isOpen ? [] : [["apiKey": [String]()]]
    if !route.spec.notes.isEmpty { operation["description"] = route.spec.notes.joined(separator: ". ") }
    if route.spec.isExtension { operation["x-pvckit-extension"] = true }
    // PVCKit's roles (an extension): the least role of a token that may call it.
    if !route.isOpen { operation["x-pvckit-role"] = route.spec.requiredRole.rawValue }
    return operation
  }

  static func schema(_ kind: OperationParameter.Kind) -> [String: Any] {
    switch kind {
    case .string, .text: ["type": "string"]
    case .boolean: ["type": "boolean"]
    case .integer(let range): ["type": "integer", "minimum": range.lowerBound, "maximum": range.upperBound]
    case .choice(let words): ["type": "string", "enum": words]
    }
  }
}

/// `/openapi.json`.
enum DocumentRoutes {
  static let all: [APIRoute] = [
    APIRoute(.openAPIDocument) {
      call in
      Responses.raw(try OpenAPIDocument.json(for: call.server.routes))
    }
  ]
}
