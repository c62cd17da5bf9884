import ArgumentParser
import Foundation
import PVCKit

/// `pvc cluster task`: long work carried out by node daemons.
struct ClusterTaskCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "task", abstract: "Show the cluster's tasks, or one task (following it with --wait).")

  @OptionGroup var connection: ConnectionOptions
  @Argument(help: "A task ID.") var id: String?
  @Flag(name: [.short, .long], inversion: .prefixedNo, help: "Follow the task until it ends, with its progress.")
  var wait = false
  @Option(name: [.short, .long], help: "Output format: pretty, raw, json or json-pretty.") var format: ListFormat =
    .pretty
  @Flag(
    name: [.customShort("C"), .long],
    help: "Ask the task to stop; it undoes what it made (kinds that can stop part-way, as provisioner creates).")
  var cancel = false

  func run() async throws {
    try await withCluster(connection) { cluster in
      guard let id else {
        if cancel { throw ValidationError("--cancel needs a task ID") }
        let tasks = try await cluster.tasks.list()
        switch format {
        case .json, .jsonPretty: try printJSON(tasks, pretty: format == .jsonPretty)
        case .raw: output(tasks.map(\.id).joined(separator: "\n"))
        case .pretty:
          guard !tasks.isEmpty else { return output("No tasks.") }
          var table = Table(header: ["ID", "Name", "Node", "State", "Progress", "Status"])
          for task in tasks {
            table.rows.append([
              task.id, task.name, task.runOn, task.state.rawValue, "\(task.current)/\(task.total)", task.status,
            ])
          }
          output(table.render())
        }
        return
      }
      var task = try await cancel ? cluster.tasks.cancel(id) : cluster.tasks.task(id)
      while wait && !task.state.isFinished {
        Progress.bar(current: task.current, total: task.total, status: task.status)
        try await Task.sleep(for: .milliseconds(250))
        task = try await cluster.tasks.task(id)
      }
      Progress.clear()
      switch format {
      case .json, .jsonPretty: try printJSON(task, pretty: format == .jsonPretty)
      case .raw: output(task.state.rawValue)
      case .pretty:
        output("Task \(task.id) (\(task.name) on \(task.runOn)): \(task.state.rawValue), \(task.current)/\(task.total)")
        output(task.status)
      }
      if wait && task.state == .failure { throw ExitCode.failure }
    }
  }
}
