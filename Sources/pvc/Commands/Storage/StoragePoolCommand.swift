import ArgumentParser
import PVCKit

/// `pvc storage pool`.
struct StoragePoolCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "pool", abstract: "Manage the RBD pools.",
    subcommands: [List.self, Add.self, SetPGs.self, Remove.self])

  struct List: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List pools.")
    @OptionGroup var connection: ConnectionOptions
    @Argument(help: ArgumentHelp(OperationSpec.storagePoolList.help("limit"))) var limit: String?
    @Option(name: [.short, .long], help: "Output format: pretty, raw, json or json-pretty.") var format: ListFormat =
      .pretty

    func run() async throws {
      try await withCluster(connection) { cluster in
        let pools = try await cluster.storage.pools(limit: limit)
        guard !pools.isEmpty else { throw CLIError("Pool not found.", kind: .notFound) }
        switch format {
        case .json, .jsonPretty: try printJSON(pools, pretty: format == .jsonPretty)
        case .raw: output(pools.map(\.name).joined(separator: "\n"))
        case .pretty:
          var table = Table(header: ["Name", "Tier", "PGs", "Volumes", "Stored", "Free", "Used %", "Objects"])
          for pool in pools {
            table.rows.append([
              pool.name, pool.tier, String(pool.pgs), String(pool.volumeCount),
              StorageRules.human(UInt64(max(0, pool.stat("stored_bytes")))),
              StorageRules.human(UInt64(max(0, pool.stat("free_bytes")))),
              Self.percent(pool.stats), String(pool.stat("num_objects")),
            ])
          }
          output(table.render())
        }
      }
    }

    static func percent(_ stats: JSONValue) -> String {
      guard case .object(let fields) = stats, let value = fields["used_percent"] else { return "N/A" }
      switch value {
      case .number(let real): return String(format: "%.1f%%", real * (real <= 1 ? 100 : 1))
      case .integer(let whole): return "\(whole)%"
      default: return "N/A"
      }
    }
  }

  struct Add: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Add a pool for RBD volumes.")
    @OptionGroup var connection: ConnectionOptions
    @Argument(help: "The pool's name.") var name: String
    @Argument(help: ArgumentHelp(OperationSpec.storagePoolAdd.help("pgs"))) var pgs: Int
    @Option(name: [.short, .long], help: ArgumentHelp(OperationSpec.storagePoolAdd.help("tier"))) var tier = "default"
    @Option(name: .long, help: ArgumentHelp(OperationSpec.storagePoolAdd.help("replcfg"))) var replcfg =
      "copies=3,mincopies=2"

    func run() async throws {
      try await withCluster(connection) { cluster in
        try await cluster.storage.addPool(name, pgs: pgs, replication: replcfg, tier: tier)
        output("Added pool \(name).")
      }
    }
  }

  struct SetPGs: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "set-pgs", abstract: "Change a pool's placement group count.")
    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var confirmation: ConfirmationOptions
    @Argument(help: "The pool's name.") var name: String
    @Argument(help: ArgumentHelp(OperationSpec.storagePoolSetPGs.help("pgs"))) var pgs: Int

    func run() async throws {
      do { try confirmation.confirm("Change pool \(name) to \(pgs) placement groups (data moves)?") } catch {
        throw fail(error)
      }
      try await withCluster(connection) { cluster in
        try await cluster.storage.setPlacementGroups(pool: name, pgs)
        output("Set the placement group count of pool \(name) to \(pgs).")
      }
    }
  }

  struct Remove: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Remove a pool with all its volumes.")
    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var confirmation: ConfirmationOptions
    @Argument(help: "The pool's name.") var name: String

    func run() async throws {
      do { try confirmation.confirm("Remove pool \(name) and every volume in it?") } catch { throw fail(error) }
      try await withCluster(connection) { cluster in
        try await cluster.storage.removePool(name)
        output("Removed pool \(name) and its volumes.")
      }
    }
  }
}
