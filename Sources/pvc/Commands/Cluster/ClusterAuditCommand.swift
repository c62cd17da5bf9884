import ArgumentParser
import Foundation
import PVCKit

/// `pvc cluster audit`: who changed what through the API.
struct ClusterAuditCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "audit",
    abstract: "Show the audit log: the newest state-changing calls through the API.",
    discussion: """
      Each entry says when, which token (by its name in pvc.conf) with which role, from which address, the \
      operation, and its answer. Calls refused for a missing role are recorded too.
      """)

  @OptionGroup var connection: ConnectionOptions
  @Option(name: [.short, .long], help: "How many entries, newest last (1 to 10000).") var limit = 100
  @Option(name: [.short, .long], help: "Output format: pretty, raw, json or json-pretty.") var format: ListFormat =
    .pretty

  func validate() throws {
    guard (1...AuditLog.limit).contains(limit) else { throw ValidationError("--limit must be from 1 to 10000") }
  }

  func run() async throws {
    try await withCluster(connection) { cluster in
      let entries = try await cluster.audit(last: limit)
      switch format {
      case .json, .jsonPretty: try printJSON(entries, pretty: format == .jsonPretty)
      case .raw: output(entries.map(\.line).joined(separator: "\n"))
      case .pretty:
        guard !entries.isEmpty else { return output("No audit entries.") }
        var table = Table(header: ["Time", "Who", "Role", "From", "Operation", "Path", "Status"])
        for entry in entries {
          table.rows.append([
            Date(timeIntervalSince1970: entry.time).formatted(.iso8601), entry.who, entry.role, entry.client,
            entry.operation, entry.method + " " + entry.path, "\(entry.status) \(entry.result)",
          ])
        }
        output(table.render())
      }
    }
  }
}
