import Foundation
import Subprocess

#if canImport(System)
  import System
#else
  import SystemPackage
#endif

/// Runs a system tool with an argument list (never through a shell), without
/// blocking Swift's cooperative threads, and kills it after a timeout.
///
/// Over swift-subprocess, which starts every child with the default signal
/// dispositions and an empty signal mask: a daemon started from pvcd (dnsmasq,
/// FRR) must answer SIGTERM and SIGHUP, and pvcd's own threads block signals
/// (Foundation's `Process` passed that mask on, and such daemons ignored their stop).
struct Command: Sendable {
  /// What a finished command left.
  struct Outcome: Sendable {
    var status: Int32
    var output: String
    var timedOut: Bool
  }

  /// The most output kept from one command.
  static let outputLimit = 16 << 20

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
    var added: [Environment.Key: String?] = [:]
    for (name, value) in environment {
      if let key = Environment.Key(rawValue: name) { added[key] = value }
    }
    let executable = self.executable
    let environment: Environment = added.isEmpty ? .inherit : .inherit.updating(added)
    // In a task of its own: a caller being cancelled (a duty handing over, pvcd stopping) must not kill the
    // command that cleans up after it; the timeout bounds every command.
    return try await Task { try await Self.run(executable, arguments, environment, timeout) }.value
  }

  private static func run(
    _ executable: String, _ arguments: [String], _ environment: Environment, _ timeout: Duration
  ) async throws -> Outcome {
    let outcome = try await Self.within(timeout) {
      let result = try await Subprocess.run(
        .path(FilePath(executable)), arguments: Arguments(arguments), environment: environment,
        output: .string(limit: Self.outputLimit), error: .combinedWithOutput)
      return Outcome(
        status: Self.status(result.terminationStatus), output: result.standardOutput, timedOut: false)
    }
    return outcome ?? Outcome(status: 128 + SIGKILL, output: "", timedOut: true)
  }

  /// A child's exit status as a shell gives it (128 + the signal that ended it).
  static func status(_ termination: TerminationStatus) -> Int32 {
    switch termination {
    case .exited(let code): Int32(truncatingIfNeeded: code)
    case .signaled(let signal): 128 + Int32(truncatingIfNeeded: signal)
    }
  }

  /// Runs `work` for at most `limit`; `nil` when the time ran out (the work is cancelled, which kills a child
  /// process it started, and waited for).
  static func within<T: Sendable>(_ limit: Duration, _ work: @escaping @Sendable () async throws -> T)
    async throws -> T?
  {
    try await withThrowingTaskGroup(of: T?.self) { group in
      group.addTask { try await work() }
      group.addTask {
        try? await Task.sleep(for: limit)
        return nil
      }
      defer { group.cancelAll() }
      while let next = try await group.next() {
        if let value = next { return value }
        group.cancelAll()
        _ = try? await group.next()
        return nil
      }
      return nil
    }
  }
}
