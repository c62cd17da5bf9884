import Foundation

/// Runs a system tool with an argument list (never through a shell), without
/// blocking Swift's cooperative threads, and kills it after a timeout.
struct Command: Sendable {
  /// What a finished command left.
  struct Outcome: Sendable {
    var status: Int32
    var output: String
    var timedOut: Bool
  }

  /// The first of `paths` that is executable.
  let executable: String

  /// A command found at the first executable path of `paths` (the first path if none is).
  init(_ paths: String...) {
    executable = paths.first { FileManager.default.isExecutableFile(atPath: $0) } ?? paths[0]
  }

  /// Runs the tool; standard output and error are captured together.
  /// - Parameter environment: variables added to this process's environment
  ///   (for secrets, which arguments would show to every user).
  func run(_ arguments: [String], environment: [String: String] = [:], timeout: Duration = .seconds(30)) async throws
    -> Outcome
  {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    if !environment.isEmpty {
      process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
    }
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    process.standardInput = FileHandle.nullDevice
    let timedOut = TimeoutFlag()
    return try await withCheckedThrowingContinuation { continuation in
      DispatchQueue.global().async {
        do {
          try process.run()
        } catch {
          continuation.resume(throwing: error)
          return
        }
        let seconds = Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18
        let killer = DispatchWorkItem {
          if process.isRunning {
            timedOut.set()
            process.terminate()
          }
        }
        DispatchQueue.global().asyncAfter(deadline: .now() + seconds, execute: killer)
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        killer.cancel()
        continuation.resume(
          returning: Outcome(
            status: process.terminationStatus, output: String(decoding: data, as: UTF8.self),
            timedOut: timedOut.isSet))
      }
    }
  }
}

/// A flag set once from any thread.
private final class TimeoutFlag: @unchecked Sendable {
  private let lock = NSLock()
  private var value = false
  func set() {
    lock.lock()
    value = true
    lock.unlock()
  }
  var isSet: Bool {
    lock.lock()
    defer { lock.unlock() }
    return value
  }
}
