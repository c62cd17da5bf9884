import Foundation

/// A program of this project (pvcapi, pvcweb) running in the background for a
/// test, its output in a file; stopped with SIGTERM by the test.
final class BackgroundProgram: @unchecked Sendable {
  private let process = Process()
  let logFile: URL

  /// Starts `executable` from the test build with `arguments` (and `environment` added to the test's).
  init(_ executable: String, _ arguments: [String], environment: [String: String] = [:]) throws {
    logFile = FileManager.default.temporaryDirectory.appendingPathComponent("\(executable)-\(UUID().uuidString).log")
    _ = FileManager.default.createFile(atPath: logFile.path, contents: nil)
    process.executableURL = TestServices.binDirectory.appendingPathComponent(executable)
    process.arguments = arguments
    if !environment.isEmpty {
      process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
    }
    let output = try FileHandle(forWritingTo: logFile)
    process.standardOutput = output
    process.standardError = output
    process.standardInput = FileHandle.nullDevice
    try process.run()
  }

  /// Whether it is still running.
  var isRunning: Bool { process.isRunning }

  /// What it printed.
  var output: String { (try? String(contentsOf: logFile, encoding: .utf8)) ?? "" }

  /// Stops it (SIGTERM) and waits up to `seconds` before killing it; returns whether it ended by itself.
  @discardableResult
  func stop(within seconds: TimeInterval = 10) -> Bool {
    if process.isRunning { process.terminate() }
    let deadline = Date().addingTimeInterval(seconds)
    while process.isRunning && Date() < deadline { usleep(50_000) }
    let ended = !process.isRunning
    if !ended { kill(process.processIdentifier, SIGKILL) }
    try? FileManager.default.removeItem(at: logFile)
    return ended
  }
}
