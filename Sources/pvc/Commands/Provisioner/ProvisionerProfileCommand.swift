import ArgumentParser
import PVCKit

/// `pvc provisioner profile`.
struct ProvisionerProfileCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "profile", abstract: "Manage VM profiles (what a create puts together).",
    subcommands: [List.self, Add.self, Modify.self, Remove.self])

  /// The references a profile may change.
  struct References: ParsableArguments {
    @Option(
      name: [.customShort("s"), .customLong("system-template")],
      help: ArgumentHelp(OperationSpec.provisionerProfileAdd.help("system_template")))
    var systemTemplate: String?
    @Option(
      name: [.customShort("n"), .customLong("network-template")],
      help: ArgumentHelp(OperationSpec.provisionerProfileAdd.help("network_template")))
    var networkTemplate: String?
    @Option(
      name: [.customShort("t"), .customLong("storage-template")],
      help: ArgumentHelp(OperationSpec.provisionerProfileAdd.help("storage_template")))
    var storageTemplate: String?
    @Option(
      name: [.customShort("u"), .customLong("userdata")],
      help: ArgumentHelp(OperationSpec.provisionerProfileAdd.help("userdata")))
    var userdata: String?
    @Option(
      name: [.customShort("x"), .customLong("script")],
      help: ArgumentHelp(OperationSpec.provisionerProfileAdd.help("script")))
    var script: String?
    @Option(
      name: [.customShort("a"), .customLong("script-arg")],
      help: ArgumentHelp(OperationSpec.provisionerProfileAdd.help("arg")))
    var arguments: [String] = []
  }

  struct List: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List VM profiles.")
    @OptionGroup var connection: ConnectionOptions
    @Argument(help: ArgumentHelp(OperationSpec.provisionerProfileList.help("limit"))) var limit: String?
    @OptionGroup var list: ListFormatOption

    func run() async throws {
      try await withCluster(connection) { cluster in
        try printListing(
          try await cluster.provisioner.profiles(limit: limit), format: list.format, none: "No profiles found.",
          name: \.name,
          header: ["Name", "Type", "System", "Network", "Storage", "Userdata", "Script", "OVA", "Arguments"]
        ) { profile in
          [
            profile.name, profile.type.rawValue, profile.systemTemplate, profile.networkTemplate,
            profile.storageTemplate, profile.userdata, profile.script, profile.ova,
            profile.arguments.joined(separator: " "),
          ]
        }
      }
    }
  }

  struct Add: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Add a VM profile.")
    @OptionGroup var connection: ConnectionOptions
    @Argument(help: "The profile's name.") var name: String
    @Option(
      name: [.customShort("p"), .customLong("profile-type")],
      help: ArgumentHelp(OperationSpec.provisionerProfileAdd.help("profile_type")))
    var type: String = "provisioner"
    @OptionGroup var references: References
    @Option(name: [.customShort("o"), .long], help: ArgumentHelp(OperationSpec.provisionerProfileAdd.help("ova")))
    var ova: String?

    func run() async throws {
      guard let kind = ProfileType(rawValue: type) else {
        throw fail(CLIError("the profile type is provisioner or ova, not '\(type)'", kind: .invalid))
      }
      let request = VMProfileRequest(
        type: kind, systemTemplate: references.systemTemplate, networkTemplate: references.networkTemplate,
        storageTemplate: references.storageTemplate, userdata: references.userdata, script: references.script,
        ova: ova, arguments: references.arguments)
      try await withCluster(connection) { cluster in
        try await cluster.provisioner.addProfile(name, request)
        output("Created VM profile \"\(name)\".")
      }
    }
  }

  struct Modify: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Change a VM profile's references or arguments.")
    @OptionGroup var connection: ConnectionOptions
    @Argument(help: "The profile's name.") var name: String
    @OptionGroup var references: References
    @Flag(name: [.customShort("d"), .customLong("delete-script-args")], help: "Remove every script argument.")
    var deleteArguments = false

    func run() async throws {
      let arguments: [String]? = deleteArguments ? [] : (references.arguments.isEmpty ? nil : references.arguments)
      let request = VMProfileRequest(
        systemTemplate: references.systemTemplate, networkTemplate: references.networkTemplate,
        storageTemplate: references.storageTemplate, userdata: references.userdata, script: references.script,
        arguments: arguments)
      try await withCluster(connection) { cluster in
        try await cluster.provisioner.modifyProfile(name, request)
        output("Modified VM profile \"\(name)\".")
      }
    }
  }

  struct Remove: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Remove a VM profile.")
    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var confirmation: ConfirmationOptions
    @Argument(help: "The profile's name.") var name: String

    func run() async throws {
      do { try confirmation.confirm("Remove VM profile \(name)?") } catch { throw fail(error) }
      try await withCluster(connection) { cluster in
        try await cluster.provisioner.removeProfile(name)
        output("Removed VM profile \"\(name)\".")
      }
    }
  }
}
