import ArgumentParser
import Foundation
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
    commandName: "ova", abstract: "Manage OVA images: upload one to make a profile of it.",
    subcommands: [List.self, Upload.self, Remove.self])

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

  struct Upload: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract:
        "Upload an OVA archive: each disk becomes a volume; a system template and a profile named after it are made."
    )
    @OptionGroup var connection: ConnectionOptions
    @Argument(help: "The image's name on the cluster (usually the file's name).") var name: String
    @Argument(help: "The OVA file.") var filename: String
    @Option(name: [.short, .long], help: ArgumentHelp(OperationSpec.provisionerOVAUpload.help("pool"))) var pool: String

    func run() async throws {
      guard FileManager.default.isReadableFile(atPath: filename),
        let size = (try? FileManager.default.attributesOfItem(atPath: filename)[.size]) as? UInt64
      else { throw CLIError("cannot read \(filename)") }
      try await withCluster(connection) { cluster in
        try await cluster.provisioner.uploadOVA(name, pool: pool, size: size, from: .file(filename))
        output("Imported OVA image \"\(name)\" into pool \(pool); its profile is \"\(name)\".")
      }
    }
  }

  struct Remove: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Remove an OVA image with its volumes, its profile and its system template.")
    @OptionGroup var connection: ConnectionOptions
    @Argument(help: "The image.") var name: String
    @OptionGroup var confirmation: ConfirmationOptions

    func run() async throws {
      try confirmation.confirm("Remove OVA image \(name) and its volumes?")
      try await withCluster(connection) { cluster in
        try await cluster.provisioner.removeOVA(name)
        output("Removed OVA image \"\(name)\".")
      }
    }
  }
}
