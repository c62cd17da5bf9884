import ArgumentParser
import PVCKit

/// `pvc cluster fault`.
struct ClusterFaultCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "fault", abstract: "Show, acknowledge and delete cluster faults.",
    discussion: "Cluster health is 100 less the health deltas of the faults not yet acknowledged.",
    subcommands: [List.self, Ack.self, AckAll.self, Delete.self, DeleteAll.self])

  /// Formats of `fault list`.
  enum Format: String, ExpressibleByArgument, CaseIterable {
    case short, long, json
    case jsonPretty = "json-pretty"
  }

  struct List: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List the faults, most recently reported first.")
    @OptionGroup var connection: ConnectionOptions
    @Argument(help: "Only the fault with this ID.") var limit: String?
    @Option(name: [.short, .long], help: "Output format: short, long, json or json-pretty.") var format = Format.short

    func run() async throws {
      try await withCluster(connection) { cluster in
        let faults = if let limit { [try await cluster.faults.fault(limit)] } else { try await cluster.faults.list() }
        switch format {
        case .json, .jsonPretty: try printJSON(faults, pretty: format == .jsonPretty)
        case .short, .long:
          guard !faults.isEmpty else { return output("No faults found.") }
          let long = format == .long
          var table = Table(
            header: ["ID", "Status", "Health Delta"] + (long ? ["First Reported", "Acknowledged At"] : [])
              + ["Last Reported", "Message"])
          for fault in faults {
            let status = Terminal.paint(fault.status, fault.isAcknowledged ? "32" : "31", table.colour)
            table.rows.append(
              [fault.id, status, "-\(fault.healthDelta)%"]
                + (long ? [fault.firstReported, fault.acknowledgedAt.isEmpty ? "N/A" : fault.acknowledgedAt] : [])
                + [fault.lastReported, fault.message])
          }
          output(table.render())
        }
      }
    }
  }

  struct Ack: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "ack", abstract: "Acknowledge faults: they no longer lower the cluster's health.")
    @OptionGroup var connection: ConnectionOptions
    @Argument(help: "The faults' IDs.") var ids: [String]

    func validate() throws { if ids.isEmpty { throw ValidationError("Give at least one fault ID.") } }

    func run() async throws {
      try await withCluster(connection) { cluster in
        try await cluster.faults.acknowledge(ids)
        output(ids.map { "Acknowledged fault \($0)." }.joined(separator: "\n"))
      }
    }
  }

  struct AckAll: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ack-all", abstract: "Acknowledge every fault.")
    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var confirmation: ConfirmationOptions

    func run() async throws {
      try confirmation.confirm("Acknowledge all faults?")
      try await withCluster(connection) { cluster in
        try await cluster.faults.acknowledgeAll()
        output("Acknowledged all faults.")
      }
    }
  }

  struct Delete: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Delete faults; one whose cause persists is raised again.")
    @OptionGroup var connection: ConnectionOptions
    @Argument(help: "The faults' IDs.") var ids: [String]

    func validate() throws { if ids.isEmpty { throw ValidationError("Give at least one fault ID.") } }

    func run() async throws {
      try await withCluster(connection) { cluster in
        try await cluster.faults.delete(ids)
        output(ids.map { "Deleted fault \($0)." }.joined(separator: "\n"))
      }
    }
  }

  struct DeleteAll: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "delete-all", abstract: "Delete every fault.")
    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var confirmation: ConfirmationOptions

    func run() async throws {
      try confirmation.confirm("Delete all faults?")
      try await withCluster(connection) { cluster in
        try await cluster.faults.deleteAll()
        output("Deleted all faults.")
      }
    }
  }
}
