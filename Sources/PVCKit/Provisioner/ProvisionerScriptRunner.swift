import Foundation
import Subprocess

#if canImport(System)
  import System
#else
  import SystemPackage
#endif

/// Runs a provisioning script's phase, as PVCKit's script contract says (Documentation/Provisioner.md): the
/// script is an executable (its `#!` line names the interpreter) written into a scratch directory of its own,
/// run there without a shell as `<script> <phase>`, the VM's data as JSON on its standard input, with a time
/// limit; exit status 0 is success, anything else fails the create with the end of its standard error.
/// Nothing of the script runs inside pvcd.
struct ProvisionerScriptRunner: Sendable {
  /// The phases, in order.
  static let phases = ["setup", "create", "prepare", "install", "cleanup"]

  /// The scratch directory (made, mode 700; removed by ``remove()``).
  let directory: String
  /// Seconds each phase may take.
  var limits: [String: Duration] = [
    "setup": .seconds(300), "create": .seconds(300), "prepare": .seconds(3600), "install": .seconds(3600),
    "cleanup": .seconds(300),
  ]
  /// The most output kept of a phase.
  static let outputLimit = 1 << 20

  /// What a phase left.
  struct Outcome: Sendable {
    var status: Int32
    var output: String
    var errors: String
    var timedOut: Bool

    /// The last lines of its standard error (or output), for a failure message.
    var tail: String {
      let text = errors.isEmpty ? output : errors
      return text.split(separator: "\n").suffix(12).joined(separator: "\n")
    }
  }

  /// Makes the scratch directory and writes the script into it as an executable.
  static func prepare(script: String, in parent: String, name: String) throws -> ProvisionerScriptRunner {
    let directory = parent + "/" + name + "-" + UUID().uuidString.prefix(8).lowercased()
    let manager = FileManager.default
    try manager.createDirectory(
      atPath: directory + "/work", withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
    try manager.setAttributes([.posixPermissions: 0o700], ofItemAtPath: directory)
    let path = directory + "/script"
    guard manager.createFile(atPath: path, contents: Data(script.utf8), attributes: [.posixPermissions: 0o700]) else {
      throw ProvisionerError.invalid("the script could not be written to \(path)")
    }
    return ProvisionerScriptRunner(directory: directory)
  }

  /// Runs `phase` with `data` on its standard input.
  func run(_ phase: String, data: Data, environment: [String: String]) async throws -> Outcome {
    let limit = limits[phase] ?? .seconds(300)
    var variables: [Environment.Key: String] = [
      "PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "HOME": directory + "/work",
      "PVC_PHASE": phase, "LANG": "C.UTF-8",
    ]
    for (name, value) in environment {
      if let key = Environment.Key(rawValue: name) { variables[key] = value }
    }
    let script = directory + "/script"
    let work = directory + "/work"
    // Standard input is a file, not a pipe: a script that exits without reading it must not meet a write into a
    // closed pipe (swift-subprocess does not survive that).
    let inputPath = directory + "/input.json"
    guard FileManager.default.createFile(atPath: inputPath, contents: data, attributes: [.posixPermissions: 0o600])
    else { throw ProvisionerError.invalid("the VM's data could not be written to \(inputPath)") }
    let environment = Environment.custom(variables)
    // Cancelling the create cancels this too, which kills the script.
    let outcome = try await Command.within(limit) {
      let input = try FileDescriptor.open(FilePath(inputPath), .readOnly, options: [.closeOnExec])
      let result = try await Subprocess.run(
        .path(FilePath(script)), arguments: [phase], environment: environment, workingDirectory: FilePath(work),
        input: .fileDescriptor(input, closeAfterSpawningProcess: true), output: .string(limit: Self.outputLimit),
        error: .string(limit: Self.outputLimit))
      return Outcome(
        status: Command.status(result.terminationStatus), output: result.standardOutput,
        errors: result.standardError, timedOut: false)
    }
    try Task.checkCancellation()
    return outcome ?? Outcome(status: 128 + SIGKILL, output: "", errors: "", timedOut: true)
  }

  /// Removes the scratch directory.
  func remove() { try? FileManager.default.removeItem(atPath: directory) }
}
