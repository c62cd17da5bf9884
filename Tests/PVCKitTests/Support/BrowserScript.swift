import Foundation
import Testing

/// Scripts/browser.py (headless Chromium over the DevTools protocol) against a web UI on loopback.
enum BrowserScript {
  /// Runs a scenario and expects each of `steps` to have been seen (and no error); screenshots go to `artifacts`.
  static func run(
    base: String, token: String, vm: String, artifacts: URL, debugPort: Int, scenario: [String] = [],
    steps: [String]
  ) async throws {
    try? FileManager.default.removeItem(at: artifacts)
    let run = try await TestServices.offPool {
      try TestServices.runTool(
        "/usr/bin/python3",
        [
          TestServices.root.appendingPathComponent("Scripts/browser.py").path, base, token, vm, artifacts.path,
          String(debugPort),
        ] + scenario)
    }
    let seen =
      (try? JSONSerialization.jsonObject(
        with: Data(run.output.split(separator: "\n").last.map(String.init)?.utf8 ?? "".utf8)))
      as? [String: Any] ?? [:]
    #expect(seen["error"] == nil, "\(run.output)")
    for step in steps {
      #expect(seen[step] as? Bool == true, "step \(step): \(run.output)")
    }
  }
}
