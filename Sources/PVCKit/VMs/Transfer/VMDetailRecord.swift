import Foundation

/// What a VM's detail (upstream's `GET /vm/<vm>` object, as written into `snapshot.json` by exports and sent by
/// snapshot sends) says that a new cluster needs to define the VM again. Read leniently, as upstream's fields
/// changed over the versions (a node limit as a list or a comma list, numbers as text), and checked: the
/// definition goes through every check of a new VM.
struct VMDetailRecord: Sendable, Hashable {
  var name: String
  var uuid: String
  var xml: String
  var node: String?
  var nodeLimit: [String]
  var nodeSelector: NodeSelector
  var autostart: Bool
  var migrationMethod: MigrationMethod
  var migrationMaxDowntime: Int
  var profile: String?
  var tags: [VMTag]
  /// The RBD disks, `pool/volume`, in the definition's order.
  var rbdDisks: [String]

  /// Reads a detail object.
  /// - Throws: ``VMError/invalidArgument(_:)`` naming what is missing or wrong.
  init(_ detail: JSONValue) throws {
    guard case .object(let fields) = detail else { throw VMError.invalidArgument("the VM detail is not an object") }
    func text(_ key: String) -> String? {
      switch fields[key] {
      case .string(let value): value
      case .integer(let value): String(value)
      case .bool(let value): value ? "True" : "False"
      default: nil
      }
    }
    guard let xml = text("xml"), !xml.isEmpty else { throw VMError.invalidArgument("the VM detail has no xml") }
    let summary = try DomainXML(xml).summary
    name = summary.name
    uuid = summary.uuid
    self.xml = xml
    node = text("node").flatMap { $0.isEmpty || $0 == "None" ? nil : $0 }
    switch fields["node_limit"] {
    case .array(let items): nodeLimit = items.compactMap { if case .string(let s) = $0 { s } else { nil } }
    default:
      nodeLimit = (text("node_limit") ?? "").split(separator: ",").map(String.init).filter { $0 != "None" }
    }
    nodeSelector = text("node_selector").flatMap(NodeSelector.init(rawValue:)) ?? .none
    autostart = ["true", "1", "yes"].contains((text("node_autostart") ?? "").lowercased())
    migrationMethod = text("migration_method").flatMap(MigrationMethod.init(rawValue:)) ?? .none
    migrationMaxDowntime = text("migration_max_downtime").flatMap { Int($0) }.map { min(max($0, 1), 600_000) } ?? 300
    profile = text("profile").flatMap { $0.isEmpty || $0 == "None" ? nil : $0 }
    var tags: [VMTag] = []
    if case .array(let items) = fields["tags"] {
      for case .object(let tag) in items.prefix(256) {
        guard case .string(let name) = tag["name"] else { continue }
        var isProtected = false
        if case .bool(let value) = tag["protected"] { isProtected = value }
        tags.append(VMTag(name: name, protected: isProtected))
      }
    }
    self.tags = tags
    rbdDisks = summary.disks.filter { $0.type == "rbd" }.map(\.name)
  }

  /// The definition of the VM on a cluster (`node` only if that cluster has it).
  func definition(initialState: VMState, knownNodes: Set<String>) -> VMDefinition {
    VMDefinition(
      xml: xml, node: node.flatMap { knownNodes.contains($0) ? $0 : nil },
      nodeLimit: nodeLimit.filter(knownNodes.contains), nodeSelector: nodeSelector, autostart: autostart,
      migrationMethod: migrationMethod, migrationMaxDowntime: migrationMaxDowntime, tags: tags, profile: profile,
      initialState: initialState)
  }
}
