import ArgumentParser
import PVCKit

/// `pvc storage osd`.
struct StorageOSDCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "osd", abstract: "Manage the OSDs.",
    subcommands: [List.self, In.self, Out.self, Set.self, Unset.self])

  struct List: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List OSDs.")
    @OptionGroup var connection: ConnectionOptions
    @Argument(help: ArgumentHelp(OperationSpec.storageOSDList.help("limit"))) var limit: String?
    @Option(name: [.short, .long], help: "Output format: pretty, raw, json or json-pretty.") var format: ListFormat =
      .pretty

    func run() async throws {
      try await withCluster(connection) { cluster in
        let osds = try await cluster.storage.osds(limit: limit)
        guard !osds.isEmpty else { throw CLIError("OSD not found.", kind: .notFound) }
        switch format {
        case .json, .jsonPretty: try printJSON(osds, pretty: format == .jsonPretty)
        case .raw: output(osds.map(\.id).joined(separator: "\n"))
        case .pretty:
          var table = Table(header: ["ID", "Node", "Device", "Up", "In", "Size", "PGs", "Used", "Free", "Util %"])
          for osd in osds {
            table.rows.append([
              osd.id, osd.node, osd.device, osd.isUp ? "Yes" : "No", osd.isIn ? "Yes" : "No",
              StorageRules.human(UInt64(max(0, osd.stat("kb"))) * 1024), String(osd.stat("pgs")),
              osd.statText("used") ?? "N/A", osd.statText("avail") ?? "N/A", String(osd.stat("utilization")),
            ])
          }
          output(table.render())
        }
      }
    }
  }

  struct In: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "in", abstract: "Take an OSD in (it holds data).")
    @OptionGroup var connection: ConnectionOptions
    @Argument(help: "The OSD's ID.") var osdid: String

    func run() async throws {
      try await withCluster(connection) { cluster in
        try await cluster.storage.setOSDState(osdid, .in)
        output("Set OSD \(osdid) in.")
      }
    }
  }

  struct Out: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "out", abstract: "Take an OSD out (its data moves to the others).")
    @OptionGroup var connection: ConnectionOptions
    @Argument(help: "The OSD's ID.") var osdid: String

    func run() async throws {
      try await withCluster(connection) { cluster in
        try await cluster.storage.setOSDState(osdid, .out)
        output("Set OSD \(osdid) out.")
      }
    }
  }

  struct Set: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "set", abstract: "Set a cluster-wide OSD flag.")
    @OptionGroup var connection: ConnectionOptions
    @Argument(help: ArgumentHelp(OperationSpec.storageOption.help("option"))) var property: String

    func run() async throws { try await setOSDFlag(connection, property, true) }
  }

  struct Unset: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "unset", abstract: "Clear a cluster-wide OSD flag.")
    @OptionGroup var connection: ConnectionOptions
    @Argument(help: ArgumentHelp(OperationSpec.storageOption.help("option"))) var property: String

    func run() async throws { try await setOSDFlag(connection, property, false) }
  }

}

extension AsyncParsableCommand {
  /// `pvc storage osd set|unset`.
  func setOSDFlag(_ connection: ConnectionOptions, _ property: String, _ enabled: Bool) async throws {
    guard let flag = OSDFlag(rawValue: property) else {
      throw CLIError(
        "'\(property)' is not an OSD flag: \(OSDFlag.allCases.map(\.rawValue).joined(separator: ", "))", kind: .invalid)
    }
    try await withCluster(connection) { cluster in
      try await cluster.storage.setOSDFlag(flag, enabled)
      output("\(enabled ? "Set" : "Unset") OSD flag \(property).")
    }
  }
}
