import ArgumentParser
import PVCKit

/// `pvc provisioner template network`.
struct ProvisionerNetworkTemplateCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "network", abstract: "Manage network templates (the VM's NICs, in order).",
    subcommands: [List.self, Add.self, Remove.self, VNI.self])

  struct List: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List network templates.")
    @OptionGroup var connection: ConnectionOptions
    @Argument(help: ArgumentHelp(OperationSpec.provisionerNetworkList.help("limit"))) var limit: String?
    @OptionGroup var list: ListFormatOption

    func run() async throws {
      try await withCluster(connection) { cluster in
        try printListing(
          try await cluster.provisioner.networkTemplates(limit: limit), format: list.format,
          none: "No network templates found.", name: \.name, header: ["Name", "MAC template", "Networks"]
        ) { template in
          [template.name, template.macTemplate ?? "", template.networks.map(\.vni).joined(separator: ", ")]
        }
      }
    }
  }

  struct Add: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Add a network template.")
    @OptionGroup var connection: ConnectionOptions
    @Argument(help: "The template's name.") var name: String
    @Option(
      name: [.customShort("m"), .customLong("mac-template")],
      help: ArgumentHelp(OperationSpec.provisionerNetworkAdd.help("mac_template")))
    var macTemplate: String?

    func run() async throws {
      try await withCluster(connection) { cluster in
        try await cluster.provisioner.addNetworkTemplate(name, macTemplate: macTemplate)
        output("Added new network template \"\(name)\".")
      }
    }
  }

  struct Remove: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Remove a network template.")
    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var confirmation: ConfirmationOptions
    @Argument(help: "The template's name.") var name: String

    func run() async throws {
      do { try confirmation.confirm("Remove network template \(name)?") } catch { throw fail(error) }
      try await withCluster(connection) { cluster in
        try await cluster.provisioner.removeNetworkTemplate(name)
        output("Removed network template \"\(name)\".")
      }
    }
  }

  /// `pvc provisioner template network vni`.
  struct VNI: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "vni", abstract: "Add and remove a network template's networks.",
      subcommands: [Add.self, Remove.self])

    struct Add: AsyncParsableCommand {
      static let configuration = CommandConfiguration(abstract: "Add a network (the next NIC) to a template.")
      @OptionGroup var connection: ConnectionOptions
      @Argument(help: "The template's name.") var name: String
      @Argument(help: ArgumentHelp(OperationSpec.provisionerNetworkNetAdd.help("vni"))) var vni: String
      @Flag(
        name: [.customShort("d"), .customLong("permit-duplicate")],
        help: ArgumentHelp(OperationSpec.provisionerNetworkNetAdd.help("permit_duplicate")))
      var permitDuplicate = false

      func run() async throws {
        try await withCluster(connection) { cluster in
          try await cluster.provisioner.addTemplateNetwork(name, vni: vni, permitDuplicate: permitDuplicate)
          output("Added new network \"\(vni)\" to network template \"\(name)\".")
        }
      }
    }

    struct Remove: AsyncParsableCommand {
      static let configuration = CommandConfiguration(abstract: "Remove a network from a template.")
      @OptionGroup var connection: ConnectionOptions
      @OptionGroup var confirmation: ConfirmationOptions
      @Argument(help: "The template's name.") var name: String
      @Argument(help: "The network.") var vni: String

      func run() async throws {
        do { try confirmation.confirm("Remove network \(vni) from template \(name)?") } catch { throw fail(error) }
        try await withCluster(connection) { cluster in
          try await cluster.provisioner.removeTemplateNetwork(name, vni: vni)
          output("Removed network \"\(vni)\" from network template \"\(name)\".")
        }
      }
    }
  }
}
