import ArgumentParser
import Foundation
import PVCKit

/// `pvc connection`: the client's saved connections.
struct ConnectionCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "connection", abstract: "Manage saved connections to clusters.",
    discussion: """
      A connection is either a PVC API (address, port, key; as upstream's CLI saves them) or a ZooKeeper \
      ensemble reached directly (on a node). Use one with 'pvc -c NAME ...' or PVC_CONNECTION=NAME.
      """,
    subcommands: [
      ConnectionAddCommand.self, ConnectionRemoveCommand.self, ConnectionListCommand.self,
      ConnectionDetailCommand.self,
    ])
}

/// `pvc connection add`.
struct ConnectionAddCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(commandName: "add", abstract: "Save a connection.")

  @Argument(help: "Its name.") var name: String
  @Option(name: [.short, .long], help: "What it is, for you.") var description: String?
  @Option(name: [.short, .long], help: "The API's address (host name or IP).") var address: String?
  @Option(name: [.short, .long], help: "The API's port.") var port = 7370
  @Option(name: [.customShort("k"), .customLong("api-key")], help: "The API key.") var apiKey: String?
  @Flag(name: [.customShort("s"), .customLong("ssl")], help: "Use HTTPS.") var ssl = false
  @Flag(name: [.customShort("S"), .customLong("no-ssl")], help: "Use plain HTTP (the default).") var noSSL = false
  @Option(help: ArgumentHelp("A ZooKeeper ensemble to reach directly instead of an API.", valueName: "hosts"))
  var zookeeper: String?

  func validate() throws {
    guard !name.isEmpty, name.count <= 64, name.allSatisfy({ $0.isLetter || $0.isNumber || "-_.".contains($0) })
    else { throw ValidationError("a connection name is letters, digits, '-', '_' or '.', at most 64") }
    guard (address == nil) != (zookeeper == nil) else {
      throw ValidationError("give either --address (an API) or --zookeeper (an ensemble)")
    }
    guard (1...65535).contains(port) else { throw ValidationError("--port must be from 1 to 65535") }
    if ssl && noSSL { throw ValidationError("give --ssl or --no-ssl, not both") }
    if let address, address.isEmpty || address.contains(where: { " /?#@".contains($0) }) {
      throw ValidationError("--address must be a host name or an IP address")
    }
  }

  func run() async throws {
    var store = try ConnectionStore.load()
    store.entries[name] =
      zookeeper.map { ConnectionStore.Entry(description: description, zookeeper: $0) }
      ?? ConnectionStore.Entry(
        description: description, host: address, port: port, scheme: ssl ? "https" : "http", apiKey: apiKey)
    try store.save()
    output("Added connection \"\(name)\" (\(store.entries[name]!.address)).")
  }
}

/// `pvc connection remove`.
struct ConnectionRemoveCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(commandName: "remove", abstract: "Forget a saved connection.")

  @Argument(help: "Its name.") var name: String

  func run() async throws {
    var store = try ConnectionStore.load()
    guard store.entries.removeValue(forKey: name) != nil else {
      throw CLIError("no connection named \"\(name)\"", kind: .notFound)
    }
    try store.save()
    output("Removed connection \"\(name)\".")
  }
}

/// `pvc connection list`.
struct ConnectionListCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(commandName: "list", abstract: "List the saved connections.")

  @Flag(name: [.customShort("k"), .customLong("show-keys")], help: "Show the API keys.") var showKeys = false
  @Option(name: [.short, .long], help: "Output format: pretty, raw, json or json-pretty.") var format: ListFormat =
    .pretty

  func run() async throws {
    let store = try ConnectionStore.load()
    var entries = store.entries
    if !showKeys {
      for name in entries.keys where entries[name]?.apiKey != nil { entries[name]?.apiKey = "<hidden>" }
    }
    switch format {
    case .json, .jsonPretty: try printJSON(entries, pretty: format == .jsonPretty)
    case .raw: output(entries.keys.sorted().joined(separator: "\n"))
    case .pretty:
      guard !entries.isEmpty else { return output("No connections saved (\(ConnectionStore.file.path)).") }
      var table = Table(header: ["Name", "Description", "Address", "Key"])
      for (name, entry) in entries.sorted(by: { $0.key < $1.key }) {
        table.rows.append([name, entry.description ?? "", entry.address, entry.apiKey ?? "none"])
      }
      output(table.render())
    }
  }
}

/// `pvc connection detail`.
struct ConnectionDetailCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "detail", abstract: "Show the state of every saved cluster.")

  @Option(name: [.short, .long], help: "Output format: pretty, json or json-pretty.") var format: ListFormat = .pretty

  struct Detail: Encodable {
    enum CodingKeys: String, CodingKey {
      case name, description, health, nodes, vms
      case primaryNode = "primary_node"
      case pvcVersion = "pvc_version"
    }

    var name: String
    var description: String
    var health: String
    var primaryNode: String
    var pvcVersion: String
    var nodes: Int
    var vms: Int

  }

  func run() async throws {
    let store = try ConnectionStore.load()
    var details: [Detail] = []
    for (name, entry) in store.entries.sorted(by: { $0.key < $1.key }) {
      var options = try ConnectionOptions.parse([])
      options.connection = name
      var detail = Detail(
        name: name, description: entry.description ?? "", health: "unreachable", primaryNode: "", pvcVersion: "",
        nodes: 0, vms: 0)
      if let cluster = try? await options.connect() {
        if let status = try? await cluster.status() {
          detail.health = "\(status.clusterHealth.health)%"
          detail.primaryNode = status.primaryNode ?? "none"
          detail.pvcVersion = status.pvcVersion
          detail.nodes = status.nodes["total"] ?? 0
          detail.vms = status.vms["total"] ?? 0
        }
        await cluster.close()
      }
      details.append(detail)
    }
    switch format {
    case .json, .jsonPretty: try printJSON(details, pretty: format == .jsonPretty)
    case .raw, .pretty:
      var table = Table(header: ["Name", "Description", "Health", "Primary", "Version", "Nodes", "VMs"])
      for d in details {
        table.rows.append([d.name, d.description, d.health, d.primaryNode, d.pvcVersion, "\(d.nodes)", "\(d.vms)"])
      }
      output(table.render())
    }
  }
}
