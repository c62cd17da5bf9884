import ArgumentParser
import PVCKit

/// `pvcapi`: the HTTP API server (API v1, compatible with upstream PVC).
///
/// The server itself is not part of this release; only `--version` answers.
@main
struct PVCAPI: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "pvcapi",
    abstract: "The PVC HTTP API server (not yet available in this release).",
    version:
      "pvcapi (PVCKit) \(PVCKitVersion.string), API v1 compatible with PVC \(PVCKitVersion.upstreamCompatibility)"
  )

  func run() throws {
    throw ValidationError("the HTTP API server is not part of this release yet; use 'pvc' directly")
  }
}
