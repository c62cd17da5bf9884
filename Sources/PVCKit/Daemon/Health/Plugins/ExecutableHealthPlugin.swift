import Foundation

/// An administrator's own health check: an executable in pvc.conf's `path.plugin_directory`, found there each round
/// (added or removed without restarting pvcd). Its name is its file name (lowercase letters, digits, `-`, `_`).
///
/// The contract (Documentation/Monitoring.md): it is run without a shell as `<file> check`, with `PVC_NODE` set to
/// the node's name and nothing on its standard input, for at most one monitoring interval (5 to 60 seconds; then
/// killed). It prints one JSON
/// object on its standard output, `{"health_delta": 0-100, "message": "...", "data": {...}}` (`data` optional),
/// and exits 0. Anything else (another status, no JSON, more than 64 KiB) is a failed check, reported with the
/// end of what it printed. Nothing of it runs inside pvcd.
struct ExecutableHealthPlugin: HealthPlugin {
  let name: String
  let path: String
  let node: String
  var timeout: Duration = .seconds(30)
  /// The most output read from a check.
  static let outputLimit = 64 << 10

  func check() async throws -> HealthCheck {
    let outcome = try await Command(path).run(["check"], environment: ["PVC_NODE": node], timeout: timeout)
    if outcome.timedOut { return .failed("it did not finish within \(timeout) and was killed") }
    let tail = String(outcome.output.suffix(300)).trimmingCharacters(in: .whitespacesAndNewlines)
    guard outcome.status == 0 else { return .failed("it exited with status \(outcome.status): \(tail)") }
    guard outcome.output.utf8.count <= Self.outputLimit else { return .failed("it printed more than 64 KiB") }
    return Self.parse(outcome.output) ?? .failed("it did not print a result object: \(tail)")
  }

  /// A result object (`health_delta` a whole number, `message` a string, `data` anything), or `nil`.
  static func parse(_ output: String) -> HealthCheck? {
    guard case .object(let fields)? = try? JSONValue(parsing: output.trimmingCharacters(in: .whitespacesAndNewlines)),
      case .integer(let delta)? = fields["health_delta"], case .string(let message)? = fields["message"]
    else { return nil }
    return HealthCheck(delta: delta, message: String(message.prefix(1000)), data: fields["data"] ?? .object([:]))
  }

  /// The executables of `directory` as plugins, skipping what is not a regular executable file or whose name a
  /// built-in plugin (`taken`) already has.
  static func found(in directory: String, node: String, taken: Set<String>, timeout: Duration)
    -> [ExecutableHealthPlugin]
  {
    let manager = FileManager.default
    guard let entries = try? manager.contentsOfDirectory(atPath: directory) else { return [] }
    return entries.sorted().prefix(100).compactMap { entry in
      let path = directory + "/" + entry
      guard let name = HealthPluginName.checked(entry), !taken.contains(name),
        let attributes = try? manager.attributesOfItem(atPath: path),
        attributes[.type] as? FileAttributeType == .typeRegular, manager.isExecutableFile(atPath: path)
      else { return nil }
      return ExecutableHealthPlugin(name: name, path: path, node: node, timeout: timeout)
    }
  }
}
