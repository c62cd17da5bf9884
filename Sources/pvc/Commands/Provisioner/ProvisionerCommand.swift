import ArgumentParser
import PVCKit

/// `pvc provisioner`: templates, userdata documents, scripts, OVA images and profiles.
struct ProvisionerCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "provisioner", abstract: "Manage the VM provisioner: templates, userdata, scripts and profiles.",
    subcommands: [
      ProvisionerTemplateCommand.self, ProvisionerUserdataCommand.self, ProvisionerScriptCommand.self,
      ProvisionerOVACommand.self, ProvisionerProfileCommand.self, ProvisionerCreateCommand.self,
    ])
}

/// Prints a provisioner listing: JSON as the API gives it, names (raw), or a table; none is "not found".
func printListing<T: Encodable>(
  _ items: [T], format: ListFormat, none: String, name: (T) -> String, header: [String], row: (T) -> [String]
) throws {
  guard !items.isEmpty else { throw CLIError(none, kind: .notFound) }
  switch format {
  case .json, .jsonPretty: try printJSON(items, pretty: format == .jsonPretty)
  case .raw: output(items.map(name).joined(separator: "\n"))
  case .pretty:
    var table = Table(header: header)
    table.rows = items.map(row)
    output(table.render())
  }
}

/// A `-f/--format` option for listings.
struct ListFormatOption: ParsableArguments {
  @Option(name: [.short, .long], help: "Output format: pretty, raw, json or json-pretty.") var format: ListFormat =
    .pretty
}

/// `pvc provisioner ova`.
struct ProvisionerOVACommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "ova", abstract: "List OVA images (made by an upload).", subcommands: [List.self])

  struct List: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List OVA images.")
    @OptionGroup var connection: ConnectionOptions
    @Argument(help: ArgumentHelp(OperationSpec.provisionerOVAList.help("limit"))) var limit: String?
    @OptionGroup var list: ListFormatOption

    func run() async throws {
      try await withCluster(connection) { cluster in
        try printListing(
          try await cluster.provisioner.ovas(limit: limit), format: list.format, none: "No OVAs found.", name: \.name,
          header: ["Name", "Disks"]
        ) { ova in
          [
            ova.name,
            ova.volumes.map { "\($0.diskID): \($0.pool)/\($0.volumeName) (\($0.diskSizeGB) GB)" }.joined(
              separator: ", "),
          ]
        }
      }
    }
  }
}
