import ArgumentParser
import Foundation
import PVCKit

/// Reads a file argument, `-` meaning standard input.
func readInput(_ path: String) throws -> String {
  if path == "-" { return String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self) }
  guard let data = FileManager.default.contents(atPath: path) else { throw CLIError("cannot read \(path)") }
  return String(decoding: data, as: UTF8.self)
}

/// A command-line value naming a case of `Value`, with a clear error listing the choices.
func choice<Value: RawRepresentable & CaseIterable>(_ text: String?, _ what: String) throws -> Value?
where Value.RawValue == String {
  guard let text else { return nil }
  guard let value = Value(rawValue: text.lowercased()) else {
    throw ValidationError(
      "invalid \(what) '\(text)': use one of \(Value.allCases.map(\.rawValue).joined(separator: ", "))")
  }
  return value
}

/// `pvc vm define`.
struct VMDefineCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "define", abstract: "Define a new VM from a libvirt XML file ('-' for standard input).")

  @OptionGroup var connection: ConnectionOptions
  @Argument(help: "The libvirt domain XML file (with --editor, a starting point; optional).") var vmconfig: String?
  @Flag(name: [.short, .long], help: "Write the XML in your editor (VISUAL or EDITOR).") var editor = false
  @Option(name: [.short, .long], help: ArgumentHelp(OperationSpec.vmDefine.help("node"))) var target: String?
  @Option(name: [.short, .long], help: ArgumentHelp(OperationSpec.vmDefine.help("limit"))) var limit: String?
  @Option(
    name: [.short, .customLong("node-selector")],
    help: ArgumentHelp(OperationSpec.vmDefine.help("selector")))
  var selector: String = "none"
  @Flag(
    name: [.customShort("a"), .customLong("autostart")], help: ArgumentHelp(OperationSpec.vmDefine.help("autostart")))
  var autostart = false
  @Flag(name: [.customShort("A"), .customLong("no-autostart")], help: "Do not (the default).") var noAutostart = false
  @Option(name: [.short, .customLong("method")], help: ArgumentHelp(OperationSpec.vmDefine.help("migration_method")))
  var method = "none"
  @Option(
    name: [.customShort("d"), .customLong("max-downtime")],
    help: ArgumentHelp(OperationSpec.vmDefine.help("migration_max_downtime"))
  )
  var maxDowntime = 300
  @Option(name: [.customShort("g"), .customLong("tag")], help: ArgumentHelp(OperationSpec.vmDefine.help("user_tags")))
  var tags: [String] = []
  @Option(
    name: [.customShort("G"), .customLong("protected-tag")],
    help: ArgumentHelp(OperationSpec.vmDefine.help("protected_tags")))
  var protectedTags: [String] = []

  func validate() throws {
    _ = try choice(selector, "node selector") as NodeSelector?
    _ = try choice(method, "migration method") as MigrationMethod?
    guard vmconfig != nil || editor else { throw ValidationError("give an XML file, or --editor") }
    if autostart && noAutostart { throw ValidationError("give --autostart or --no-autostart, not both") }
  }

  func run() async throws {
    let xml: String
    do {
      let given = try vmconfig.map(readInput)
      if editor {
        guard let edited = try editInEditor(given ?? newDomainTemplate, name: "new-vm") else {
          throw CLIError("the XML was not changed; nothing defined")
        }
        xml = edited
      } else {
        xml = given ?? ""
      }
    } catch { throw fail(error) }
    let selector: NodeSelector = try choice(selector, "node selector") ?? .none
    let method: MigrationMethod = try choice(method, "migration method") ?? .none
    try await withCluster(connection) { cluster in
      let (uuid, name) = try await cluster.vms.define(
        VMDefinition(
          xml: xml, node: target, nodeLimit: limit.map(splitList) ?? [], nodeSelector: selector, autostart: autostart,
          migrationMethod: method, migrationMaxDowntime: maxDowntime,
          tags: tags.map { VMTag(name: $0) } + protectedTags.map { VMTag(name: $0, protected: true) }))
      output("Added new VM with Name \"\(name)\" and UUID \"\(uuid)\" to database.")
    }
  }
}

/// Splits `a,b, c` into names.
func splitList(_ text: String) -> [String] {
  text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
}

/// `pvc vm modify`.
struct VMModifyCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "modify", abstract: "Replace a VM's libvirt XML with a file ('-' for standard input).")

  @OptionGroup var connection: ConnectionOptions
  @OptionGroup var confirmation: ConfirmationOptions
  @Argument(help: "The VM's name or UUID.") var domain: String
  @Argument(help: "The new libvirt domain XML file (not with --editor).") var cfgfile: String?
  @Flag(name: [.short, .long], help: "Edit the current XML in your editor (VISUAL or EDITOR).") var editor = false
  @Flag(name: [.short, .long], help: "Restart the VM to apply the change now.") var restart = false
  @Flag(name: [.customShort("d"), .customLong("confirm-diff")], help: "Show the changes and ask before saving them.")
  var confirmDiff = false
  @Flag(
    name: [.customShort("c"), .customLong("confirm-restart")],
    help: "Ask before restarting (always done unless --yes).")
  var confirmRestart = false

  func validate() throws {
    guard (cfgfile == nil) == editor else { throw ValidationError("give either an XML file or --editor") }
  }

  func run() async throws {
    let file: String?
    do { file = try cfgfile.map(readInput) } catch { throw fail(error) }
    try await withCluster(connection) { cluster in
      let xml: String
      if let file {
        xml = file
      } else {
        guard let edited = try editInEditor(try await cluster.vms.dump(domain), name: domain) else {
          return output("No changes to VM \"\(domain)\".")
        }
        xml = edited
      }
      if confirmDiff {
        output(Self.diff(from: try await cluster.vms.dump(domain), to: xml))
        try confirmation.confirm("Save these changes to VM \(domain)?")
      }
      if restart { try confirmation.confirm("Restart VM \(domain) to apply the new definition?") }
      try await cluster.vms.modify(domain, xml: xml, restart: restart)
      output("Successfully modified configuration of VM \"\(domain)\".")
    }
  }
}

extension VMModifyCommand {
  /// The lines taken out (`-`) and put in (`+`) between two definitions.
  static func diff(from old: String, to new: String) -> String {
    let before = old.split(separator: "\n", omittingEmptySubsequences: false)
    let after = new.split(separator: "\n", omittingEmptySubsequences: false)
    let lines = after.difference(from: before).map { change -> String in
      switch change {
      case .remove(_, let line, _): "- " + line
      case .insert(_, let line, _): "+ " + line
      }
    }
    return lines.isEmpty ? "No changes." : lines.joined(separator: "\n")
  }
}

/// `pvc vm rename`.
struct VMRenameCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(commandName: "rename", abstract: "Rename a stopped VM.")
  @OptionGroup var connection: ConnectionOptions
  @OptionGroup var confirmation: ConfirmationOptions
  @Argument(help: "The VM's name or UUID.") var domain: String
  @Argument(help: "The new name.") var newName: String

  func run() async throws {
    do { try confirmation.confirm("Rename VM \(domain) to \(newName)?") } catch { throw fail(error) }
    try await withCluster(connection) { cluster in
      try await cluster.vms.rename(domain, to: newName)
      output("Successfully renamed VM \"\(domain)\" to \"\(newName)\".")
    }
  }
}

/// `pvc vm undefine`.
struct VMUndefineCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "undefine", abstract: "Stop a VM and remove it from the cluster, keeping its disks.")
  @OptionGroup var connection: ConnectionOptions
  @OptionGroup var confirmation: ConfirmationOptions
  @Argument(help: "The VM's name or UUID.") var domain: String

  func run() async throws {
    do { try confirmation.confirm("Undefine VM \(domain)?") } catch { throw fail(error) }
    try await withCluster(connection) { cluster in
      try await cluster.vms.undefine(domain)
      output("Undefined VM \"\(domain)\" from the cluster.")
    }
  }
}

/// `pvc vm remove`.
struct VMRemoveCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "remove", abstract: "Stop a VM and remove it and its disks from the cluster.")
  @OptionGroup var connection: ConnectionOptions
  @OptionGroup var confirmation: ConfirmationOptions
  @Argument(help: "The VM's name or UUID.") var domain: String

  func run() async throws {
    do { try confirmation.confirm("Remove VM \(domain) and all its disks?") } catch { throw fail(error) }
    try await withCluster(connection) { cluster in
      try await cluster.vms.remove(domain, deleteDisks: true)
      output("Removed VM \"\(domain)\" and its disks from the cluster.")
    }
  }
}

/// `pvc vm dump`.
struct VMDumpCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(commandName: "dump", abstract: "Print a VM's libvirt XML.")
  @OptionGroup var connection: ConnectionOptions
  @Argument(help: "The VM's name or UUID.") var domain: String
  @Option(name: [.short, .long], help: "Write to this file instead of standard output.") var file: String?

  func run() async throws {
    try await withCluster(connection) { cluster in
      let xml = try await cluster.vms.dump(domain)
      if let file {
        guard FileManager.default.createFile(atPath: file, contents: Data(xml.utf8)) else {
          throw CLIError("cannot write \(file)")
        }
      } else {
        output(xml)
      }
    }
  }
}
