import ArgumentParser
import Foundation
import PVCKit

/// An error of the CLI itself: a message on stderr, and the exit status of its kind.
struct CLIError: ClassifiedError, CustomStringConvertible {
  var description: String
  var kind: ErrorKind
  init(_ description: String, kind: ErrorKind = .invalid) {
    self.description = description
    self.kind = kind
  }
}

extension AsyncParsableCommand {
  /// Runs `body` with a cluster connection, printing failures as one clear line.
  func withCluster(_ options: ConnectionOptions, _ body: (PVCCluster) async throws -> Void) async throws {
    let cluster: PVCCluster
    do {
      cluster = try await options.connect()
    } catch {
      throw fail(error)
    }
    do {
      try await body(cluster)
      await cluster.close()
    } catch {
      await cluster.close()
      throw fail(error)
    }
  }

  /// Prints `error` to stderr and returns the exit status of its kind (Documentation/Errors.md).
  func fail(_ error: any Error) -> any Error {
    if error is ExitCode || error is CleanExit { return error }
    FileHandle.standardError.write(Data("Error: \(error)\n".utf8))
    return ExitCode(ErrorKind(of: error).exitCode)
  }
}

/// Writes to standard output (nothing with upstream's --silent).
func output(_ text: String) {
  guard !Terminal.isSet("PVC_SILENT") else { return }
  FileHandle.standardOutput.write(Data((text.hasSuffix("\n") ? text : text + "\n").utf8))
}

/// Writes a note to standard error (nothing with --quiet or --silent).
func warn(_ text: String) {
  guard !Terminal.isSet("PVC_QUIET") && !Terminal.isSet("PVC_SILENT") else { return }
  FileHandle.standardError.write(Data("Note: \(text)\n".utf8))
}
