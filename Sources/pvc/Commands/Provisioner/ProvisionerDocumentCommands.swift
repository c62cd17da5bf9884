import ArgumentParser
import Foundation
import PVCKit

/// Userdata documents and scripts: the same commands over two kinds of named text.
protocol ProvisionerDocumentKind {
  /// For messages ("userdata document").
  static var kind: String { get }
  /// Upstream's message of an empty list.
  static var none: String { get }
  static func list(_ cluster: PVCCluster, limit: String?) async throws -> [(name: String, text: String)]
  static func add(_ cluster: PVCCluster, _ name: String, _ text: String) async throws
  static func modify(_ cluster: PVCCluster, _ name: String, _ text: String) async throws
  static func remove(_ cluster: PVCCluster, _ name: String) async throws
  static func show(_ cluster: PVCCluster, _ name: String) async throws -> String
}

enum UserdataKind: ProvisionerDocumentKind {
  static let kind = "userdata document"
  static let none = "No userdata documents found."
  static func list(_ cluster: PVCCluster, limit: String?) async throws -> [(name: String, text: String)] {
    try await cluster.provisioner.userdata(limit: limit).map { ($0.name, $0.userdata) }
  }
  static func add(_ cluster: PVCCluster, _ name: String, _ text: String) async throws {
    try await cluster.provisioner.addUserdata(name, data: text)
  }
  static func modify(_ cluster: PVCCluster, _ name: String, _ text: String) async throws {
    try await cluster.provisioner.modifyUserdata(name, data: text)
  }
  static func remove(_ cluster: PVCCluster, _ name: String) async throws {
    try await cluster.provisioner.removeUserdata(name)
  }
  static func show(_ cluster: PVCCluster, _ name: String) async throws -> String {
    try await cluster.provisioner.userdata(name).userdata
  }
}

enum ScriptKind: ProvisionerDocumentKind {
  static let kind = "provisioning script"
  static let none = "No scripts found."
  static func list(_ cluster: PVCCluster, limit: String?) async throws -> [(name: String, text: String)] {
    try await cluster.provisioner.scripts(limit: limit).map { ($0.name, $0.script) }
  }
  static func add(_ cluster: PVCCluster, _ name: String, _ text: String) async throws {
    try await cluster.provisioner.addScript(name, data: text)
  }
  static func modify(_ cluster: PVCCluster, _ name: String, _ text: String) async throws {
    try await cluster.provisioner.modifyScript(name, data: text)
  }
  static func remove(_ cluster: PVCCluster, _ name: String) async throws {
    try await cluster.provisioner.removeScript(name)
  }
  static func show(_ cluster: PVCCluster, _ name: String) async throws -> String {
    try await cluster.provisioner.script(name).script
  }
}

/// `pvc provisioner userdata`.
struct ProvisionerUserdataCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "userdata", abstract: "Manage cloud-init userdata documents.",
    subcommands: [
      DocumentList<UserdataKind>.self, DocumentShow<UserdataKind>.self, DocumentAdd<UserdataKind>.self,
      DocumentModify<UserdataKind>.self, DocumentRemove<UserdataKind>.self,
    ])
}

/// `pvc provisioner script`.
struct ProvisionerScriptCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "script", abstract: "Manage provisioning scripts (executables run at each stage of a create).",
    subcommands: [
      DocumentList<ScriptKind>.self, DocumentShow<ScriptKind>.self, DocumentAdd<ScriptKind>.self,
      DocumentModify<ScriptKind>.self, DocumentRemove<ScriptKind>.self,
    ])
}

/// Reads a document from a file (`-` for standard input), at most 1 MiB.
func readDocument(_ path: String) throws -> String {
  let data: Data
  if path == "-" {
    data = FileHandle.standardInput.readData(ofLength: ProvisionerRules.maximumDocument + 1)
  } else {
    guard let handle = FileHandle(forReadingAtPath: path) else {
      throw CLIError("cannot read \(path)", kind: .notFound)
    }
    defer { try? handle.close() }
    data = handle.readData(ofLength: ProvisionerRules.maximumDocument + 1)
  }
  guard data.count <= ProvisionerRules.maximumDocument, let text = String(data: data, encoding: .utf8) else {
    throw CLIError("\(path) is not UTF-8 text of at most \(ProvisionerRules.maximumDocument) bytes", kind: .invalid)
  }
  return text
}

/// A document as a listing shows it.
struct DocumentEntry: Encodable {
  var name: String
  var data: String
}

struct DocumentList<Kind: ProvisionerDocumentKind>: AsyncParsableCommand {
  static var configuration: CommandConfiguration {
    CommandConfiguration(commandName: "list", abstract: "List \(Kind.kind)s.")
  }
  @OptionGroup var connection: ConnectionOptions
  @Argument(help: "A name pattern, fuzzy unless anchored with ^ or $.") var limit: String?
  @Flag(name: [.customShort("l"), .long], help: "Show each document's text too.") var long = false
  @OptionGroup var list: ListFormatOption

  func run() async throws {
    try await withCluster(connection) { cluster in
      let documents = try await Kind.list(cluster, limit: limit)
      try printListing(
        documents.map { DocumentEntry(name: $0.name, data: $0.text) }, format: list.format, none: Kind.none,
        name: \.name,
        header: long ? ["Name", "Document"] : ["Name", "First line"]
      ) { entry in
        [entry.name, long ? entry.data : String(entry.data.split(separator: "\n").first ?? "")]
      }
    }
  }
}

struct DocumentShow<Kind: ProvisionerDocumentKind>: AsyncParsableCommand {
  static var configuration: CommandConfiguration {
    CommandConfiguration(commandName: "show", abstract: "Print a \(Kind.kind).")
  }
  @OptionGroup var connection: ConnectionOptions
  @Argument(help: "Its name.") var name: String

  func run() async throws {
    try await withCluster(connection) { cluster in output(try await Kind.show(cluster, name)) }
  }
}

struct DocumentAdd<Kind: ProvisionerDocumentKind>: AsyncParsableCommand {
  static var configuration: CommandConfiguration {
    CommandConfiguration(commandName: "add", abstract: "Add a \(Kind.kind) from a file.")
  }
  @OptionGroup var connection: ConnectionOptions
  @Argument(help: "Its name.") var name: String
  @Argument(help: "The file (- for standard input).") var filename: String

  func run() async throws {
    let text: String
    do { text = try readDocument(filename) } catch { throw fail(error) }
    try await withCluster(connection) { cluster in
      try await Kind.add(cluster, name, text)
      output("Created \(Kind.kind) \"\(name)\".")
    }
  }
}

struct DocumentModify<Kind: ProvisionerDocumentKind>: AsyncParsableCommand {
  static var configuration: CommandConfiguration {
    CommandConfiguration(commandName: "modify", abstract: "Replace a \(Kind.kind) from a file or in an editor.")
  }
  @OptionGroup var connection: ConnectionOptions
  @Argument(help: "Its name.") var name: String
  @Argument(help: "The new text's file (- for standard input).") var filename: String?
  @Flag(name: [.customShort("e"), .long], help: "Edit the current text in $EDITOR.") var editor = false

  func run() async throws {
    guard editor || filename != nil else { throw fail(CLIError("give a file, or --editor", kind: .invalid)) }
    let file = filename
    try await withCluster(connection) { cluster in
      let text: String
      if let file {
        text = try readDocument(file)
      } else {
        guard let edited = try editInEditor(try await Kind.show(cluster, name), name: name, extension: "txt") else {
          output("Unchanged.")
          return
        }
        text = edited
      }
      try await Kind.modify(cluster, name, text)
      output("Updated \(Kind.kind) \"\(name)\".")
    }
  }
}

struct DocumentRemove<Kind: ProvisionerDocumentKind>: AsyncParsableCommand {
  static var configuration: CommandConfiguration {
    CommandConfiguration(commandName: "remove", abstract: "Remove a \(Kind.kind).")
  }
  @OptionGroup var connection: ConnectionOptions
  @OptionGroup var confirmation: ConfirmationOptions
  @Argument(help: "Its name.") var name: String

  func run() async throws {
    do { try confirmation.confirm("Remove \(Kind.kind) \(name)?") } catch { throw fail(error) }
    try await withCluster(connection) { cluster in
      try await Kind.remove(cluster, name)
      output("Removed \(Kind.kind) \"\(name)\".")
    }
  }
}
