import ArgumentParser
import Foundation

// Connection options may come before the subcommand, upstream-style
// (`pvc --zookeeper HOSTS cluster status`): they are passed on through the
// environment that every command reads.
var arguments = Array(CommandLine.arguments.dropFirst())
while let first = arguments.first, let variable = LeadingOption.environment[first], arguments.count > 1 {
  setenv(variable, arguments[1], 1)
  arguments.removeFirst(2)
}
if let first = arguments.first, let equals = first.firstIndex(of: "="),
  let variable = LeadingOption.environment[String(first[..<equals])]
{
  setenv(variable, String(first[first.index(after: equals)...]), 1)
  arguments.removeFirst()
}
do {
  var command = try await PVC.asyncParseAsRoot(arguments)
  if let asynchronous = command as? any AsyncParsableCommand {
    try await runAsynchronously(asynchronous)
  } else {
    try command.run()
  }
} catch {
  PVC.exit(withError: error)
}

/// Options accepted before the subcommand, and the variables they set.
enum LeadingOption {
  static let environment = [
    "--zookeeper": "PVC_ZOOKEEPER", "--config": "PVC_CONFIG_FILE", "-c": "PVC_CONNECTION",
    "--connection": "PVC_CONNECTION",
  ]
}

/// Runs a command's asynchronous `run()` (an existential would pick the synchronous one).
func runAsynchronously<Command: AsyncParsableCommand>(_ command: Command) async throws {
  var command = command
  try await command.run()
}
