import ArgumentParser
import Foundation
import Logging
import PVCKit

// Upstream's global options come before the subcommand (`pvc -c NAME -q vm
// list`): they are passed on through the environment that every command reads.
var arguments = Array(CommandLine.arguments.dropFirst())
while let first = arguments.first {
  if let variable = LeadingOption.flags[first] {
    setenv(variable, "1", 1)
    arguments.removeFirst()
  } else if let variable = LeadingOption.environment[first], arguments.count > 1 {
    setenv(variable, arguments[1], 1)
    arguments.removeFirst(2)
  } else if let equals = first.firstIndex(of: "="),
    let variable = LeadingOption.environment[String(first[..<equals])]
  {
    setenv(variable, String(first[first.index(after: equals)...]), 1)
    arguments.removeFirst()
  } else {
    break
  }
}
// PVCKit's log (bad records it came across, ...) goes to standard error; -v shows its debug lines.
let debug = Terminal.isSet("PVC_DEBUG")
LoggingSystem.bootstrap { label in
  var handler = StreamLogHandler.standardError(label: label)
  handler.logLevel = debug ? .debug : .warning
  return handler
}
do {
  var command = try await PVC.asyncParseAsRoot(arguments)
  if let asynchronous = command as? any AsyncParsableCommand {
    try await runAsynchronously(asynchronous)
  } else {
    try command.run()
  }
} catch let error as any ClassifiedError {
  // PVCKit's errors outside withCluster: the same message and exit status as inside it.
  FileHandle.standardError.write(Data("Error: \(error)\n".utf8))
  exit(error.kind.exitCode)
} catch {
  PVC.exit(withError: error)
}

/// Options accepted before the subcommand, and the variables they set.
enum LeadingOption {
  static let environment = [
    "--zookeeper": "PVC_ZOOKEEPER", "--config": "PVC_CONFIG_FILE", "-c": "PVC_CONNECTION",
    "--connection": "PVC_CONNECTION",
  ]
  /// Upstream's global flags: debug output, no progress, no output at all, no confirmations, colour always.
  static let flags = [
    "-v": "PVC_DEBUG", "--debug": "PVC_DEBUG", "-q": "PVC_QUIET", "--quiet": "PVC_QUIET", "-s": "PVC_SILENT",
    "--silent": "PVC_SILENT", "-u": "PVC_UNSAFE", "--unsafe": "PVC_UNSAFE", "--colour": "PVC_COLOUR",
    "--color": "PVC_COLOUR",
  ]
}

/// Runs a command's asynchronous `run()` (an existential would pick the synchronous one).
func runAsynchronously<Command: AsyncParsableCommand>(_ command: Command) async throws {
  var command = command
  try await command.run()
}
