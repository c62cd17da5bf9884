import ArgumentParser
import Foundation
import PVCKit

/// `pvc vm meta`.
struct VMMetaCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(commandName: "meta", abstract: "Change a VM's PVC metadata.")
  @OptionGroup var connection: ConnectionOptions
  @Argument(help: "The VM's name or UUID.") var domain: String
  @Option(name: [.short, .long], help: ArgumentHelp(OperationSpec.vmSetMetadata.help("limit"))) var limit: String?
  @Option(
    name: [.short, .customLong("node-selector")], help: ArgumentHelp(OperationSpec.vmSetMetadata.help("selector")))
  var selector: String?
  @Flag(
    name: [.customShort("a"), .customLong("autostart")],
    help: ArgumentHelp(OperationSpec.vmSetMetadata.help("autostart")))
  var autostart = false
  @Flag(name: [.customShort("A"), .customLong("no-autostart")], help: "Do not start it at the next unflush.")
  var noAutostart = false
  @Option(
    name: [.short, .customLong("method")], help: ArgumentHelp(OperationSpec.vmSetMetadata.help("migration_method")))
  var method: String?
  @Option(
    name: [.customShort("d"), .customLong("max-downtime")],
    help: ArgumentHelp(OperationSpec.vmSetMetadata.help("migration_max_downtime"))
  )
  var maxDowntime: Int?
  @Option(name: [.short, .long], help: ArgumentHelp(OperationSpec.vmSetMetadata.help("profile"))) var profile: String?

  func validate() throws {
    if autostart && noAutostart { throw ValidationError("give --autostart or --no-autostart, not both") }
    _ = try choice(selector, "node selector") as NodeSelector?
    _ = try choice(method, "migration method") as MigrationMethod?
  }

  func run() async throws {
    try await withCluster(connection) { cluster in
      try await cluster.vms.setMetadata(
        domain,
        VMMetadataChange(
          nodeLimit: limit.map(splitList), nodeSelector: try choice(selector, "node selector"),
          autostart: autostart ? true : (noAutostart ? false : nil), profile: profile,
          migrationMethod: try choice(method, "migration method"), migrationMaxDowntime: maxDowntime))
      output("Successfully modified PVC metadata of VM \"\(domain)\".")
    }
  }
}

/// `pvc vm tag`.
struct VMTagCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "tag", abstract: "Manage a VM's tags.", subcommands: [Add.self, Remove.self, Get.self])

  struct Add: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Add a tag.")
    @OptionGroup var connection: ConnectionOptions
    @Argument(help: "The VM's name or UUID.") var domain: String
    @Argument(help: "The tag.") var tag: String
    @Flag(name: [.short, .long], help: ArgumentHelp(OperationSpec.vmChangeTag.help("protected"))) var protected = false
    func run() async throws {
      try await withCluster(connection) { cluster in
        try await cluster.vms.addTag(domain, VMTag(name: tag, protected: protected))
        output("Successfully added tag \"\(tag)\" to VM \"\(domain)\".")
      }
    }
  }

  struct Remove: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Remove a tag.")
    @OptionGroup var connection: ConnectionOptions
    @Argument(help: "The VM's name or UUID.") var domain: String
    @Argument(help: "The tag.") var tag: String
    func run() async throws {
      try await withCluster(connection) { cluster in
        try await cluster.vms.removeTag(domain, tag)
        output("Successfully removed tag \"\(tag)\" from VM \"\(domain)\".")
      }
    }
  }

  struct Get: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show a VM's tags.")
    @OptionGroup var connection: ConnectionOptions
    @Argument(help: "The VM's name or UUID.") var domain: String
    @Option(name: [.short, .long], help: "Output format: pretty, raw, json or json-pretty.") var format: ListFormat =
      .pretty
    func run() async throws {
      try await withCluster(connection) { cluster in
        let tags = try await cluster.vms.info(domain).tags
        switch format {
        case .json, .jsonPretty: try printJSON(tags, pretty: format == .jsonPretty)
        case .raw: output(tags.map(\.name).joined(separator: "\n"))
        case .pretty:
          var table = Table(header: ["Name", "Type", "Protected"])
          table.rows = tags.map { [$0.name, $0.type, $0.protected ? "True" : "False"] }
          output(tags.isEmpty ? "No tags." : table.render())
        }
      }
    }
  }
}

/// `pvc vm log`.
struct VMLogCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(commandName: "log", abstract: "Show a VM's serial console log.")
  @OptionGroup var connection: ConnectionOptions
  @Argument(help: "The VM's name or UUID.") var domain: String
  @Option(name: [.short, .long], help: "How many lines.") var lines = 1000
  @Flag(name: [.short, .long], help: "Keep printing new lines.") var follow = false

  func run() async throws {
    try await withCluster(connection) { cluster in
      try await printLog(follow: follow) { try await cluster.vms.consoleLog(domain, lines: lines) }
    }
  }
}
