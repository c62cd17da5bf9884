import ArgumentParser
import PVCKit

/// `pvc provisioner template`.
struct ProvisionerTemplateCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "template", abstract: "Manage system, network and storage templates.",
    subcommands: [
      ProvisionerSystemTemplateCommand.self, ProvisionerNetworkTemplateCommand.self,
      ProvisionerStorageTemplateCommand.self,
    ])
}

/// `pvc provisioner template system`.
struct ProvisionerSystemTemplateCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "system", abstract: "Manage system templates (size, consoles, placement).",
    subcommands: [List.self, Add.self, Modify.self, Remove.self])

  /// The template's values, each helped from the operation's parameter.
  struct Values: ParsableArguments {
    @Option(name: [.customShort("u"), .long], help: ArgumentHelp(OperationSpec.provisionerSystemAdd.help("vcpus")))
    var vcpus: Int?
    @Option(name: [.customShort("m"), .long], help: ArgumentHelp(OperationSpec.provisionerSystemAdd.help("vram")))
    var vram: Int?
    @Flag(
      name: [.customShort("s"), .customLong("serial")],
      help: ArgumentHelp(OperationSpec.provisionerSystemAdd.help("serial")))
    var serialOn = false
    @Flag(name: [.customShort("S"), .customLong("no-serial")], help: "No serial console (the default for a new one).")
    var serialOff = false
    @Flag(
      name: [.customShort("n"), .customLong("vnc")], help: ArgumentHelp(OperationSpec.provisionerSystemAdd.help("vnc")))
    var vncOn = false
    @Flag(name: [.customShort("N"), .customLong("no-vnc")], help: "No VNC console (the default for a new one).")
    var vncOff = false
    @Option(
      name: [.customShort("b"), .customLong("vnc-bind")],
      help: ArgumentHelp(OperationSpec.provisionerSystemAdd.help("vnc_bind")))
    var vncBind: String?
    @Option(name: .customLong("node-limit"), help: ArgumentHelp(OperationSpec.provisionerSystemAdd.help("node_limit")))
    var nodeLimit: String?
    @Option(
      name: .customLong("node-selector"), help: ArgumentHelp(OperationSpec.provisionerSystemAdd.help("node_selector")))
    var nodeSelector: String?
    @Flag(
      name: .customLong("node-autostart"), help: ArgumentHelp(OperationSpec.provisionerSystemAdd.help("node_autostart"))
    )
    var nodeAutostart = false
    @Option(
      name: .customLong("migration-method"),
      help: ArgumentHelp(OperationSpec.provisionerSystemAdd.help("migration_method")))
    var migrationMethod: String?
    @Option(
      name: .customLong("max-downtime"),
      help: ArgumentHelp(OperationSpec.provisionerSystemAdd.help("migration_max_downtime")))
    var maxDowntime: Int?

    var request: SystemTemplateRequest {
      SystemTemplateRequest(
        vcpus: vcpus, vramMB: vram, serial: serialOn ? true : (serialOff ? false : nil),
        vnc: vncOn ? true : (vncOff ? false : nil), vncBind: vncBind,
        nodeLimit: nodeLimit.map { $0.split(separator: ",").map(String.init) }, nodeSelector: nodeSelector,
        nodeAutostart: nodeAutostart ? true : nil, migrationMethod: migrationMethod, migrationMaxDowntime: maxDowntime)
    }
  }

  struct List: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List system templates.")
    @OptionGroup var connection: ConnectionOptions
    @Argument(help: ArgumentHelp(OperationSpec.provisionerSystemList.help("limit"))) var limit: String?
    @OptionGroup var list: ListFormatOption

    func run() async throws {
      try await withCluster(connection) { cluster in
        try printListing(
          try await cluster.provisioner.systemTemplates(limit: limit), format: list.format,
          none: "No system templates found.", name: \.name,
          header: ["Name", "vCPUs", "vRAM MB", "Serial", "VNC", "Node limit", "Selector", "Autostart", "Migration"]
        ) { template in
          [
            template.name, String(template.vcpuCount), String(template.vramMB), template.serial ? "yes" : "no",
            template.vnc ? (template.vncBind ?? "yes") : "no", template.nodeLimit ?? "", template.nodeSelector ?? "",
            template.nodeAutostart ? "yes" : "no",
            "\(template.migrationMethod ?? "default"), \(template.migrationMaxDowntime) ms",
          ]
        }
      }
    }
  }

  struct Add: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Add a system template.")
    @OptionGroup var connection: ConnectionOptions
    @Argument(help: "The template's name.") var name: String
    @OptionGroup var values: Values

    func run() async throws {
      var request = values.request
      request.serial = request.serial ?? false
      request.vnc = request.vnc ?? false
      let checked = request
      try await withCluster(connection) { cluster in
        try await cluster.provisioner.addSystemTemplate(name, checked)
        output("Added new system template \"\(name)\".")
      }
    }
  }

  struct Modify: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Change a system template's values.")
    @OptionGroup var connection: ConnectionOptions
    @Argument(help: "The template's name.") var name: String
    @OptionGroup var values: Values

    func run() async throws {
      try await withCluster(connection) { cluster in
        try await cluster.provisioner.modifySystemTemplate(name, values.request)
        output("Modified system template \"\(name)\".")
      }
    }
  }

  struct Remove: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Remove a system template.")
    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var confirmation: ConfirmationOptions
    @Argument(help: "The template's name.") var name: String

    func run() async throws {
      do { try confirmation.confirm("Remove system template \(name)?") } catch { throw fail(error) }
      try await withCluster(connection) { cluster in
        try await cluster.provisioner.removeSystemTemplate(name)
        output("Removed system template \"\(name)\".")
      }
    }
  }
}
