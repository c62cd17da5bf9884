import ArgumentParser
import PVCKit

/// `pvcweb`: the web UI server.
///
/// The server itself is not part of this release; only `--version` answers.
@main
struct PVCWeb: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "pvcweb",
    abstract: "The PVC web UI server (not yet available in this release).",
    version: "pvcweb (PVCKit) \(PVCKitVersion.string)"
  )

  func run() throws {
    throw ValidationError("the web UI is not part of this release yet; use 'pvc' directly")
  }
}
