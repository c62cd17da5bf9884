import Foundation
import Testing

@testable import PVCKit

/// The script runner with real processes: the contract's input, exit statuses, time limits and cancellation.
@Suite("Provisioner script runner")
struct ProvisionerScriptRunnerTests {
  static func runner(_ script: String) throws -> ProvisionerScriptRunner {
    try ProvisionerScriptRunner.prepare(
      script: script, in: FileManager.default.temporaryDirectory.path, name: "runner-\(UUID().uuidString.prefix(6))")
  }

  @Test("a script that exits without reading a large input succeeds (no write into a closed pipe)")
  func unreadInput() async throws {
    let runner = try Self.runner("#!/bin/sh\nexit 0\n")
    defer { runner.remove() }
    let data = Data(repeating: UInt8(ascii: "x"), count: 512 << 10)
    for _ in 0..<20 {
      let outcome = try await runner.run("setup", data: data, environment: [:])
      #expect(outcome.status == 0 && !outcome.timedOut)
    }
  }

  @Test("the phase, the input and the environment reach the script; its status and output come back")
  func contract() async throws {
    let runner = try Self.runner(
      "#!/bin/sh\nread line\necho \"$1 $PVC_PHASE $PVC_VM_NAME $line\"\necho oops >&2\nexit 7\n")
    defer { runner.remove() }
    let outcome = try await runner.run("install", data: Data("hello\n".utf8), environment: ["PVC_VM_NAME": "vm1"])
    #expect(outcome.status == 7 && outcome.output == "install install vm1 hello\n" && outcome.tail == "oops")
  }

  @Test("a phase past its limit is killed; a cancelled phase is killed at once")
  func limits() async throws {
    var runner = try Self.runner("#!/bin/sh\nsleep 600\n")
    defer { runner.remove() }
    runner.limits["setup"] = .milliseconds(500)
    let start = ContinuousClock.now
    let outcome = try await runner.run("setup", data: Data(), environment: [:])
    // Killed well before its sleep ends (the bounds leave room for a loaded machine).
    #expect(outcome.timedOut && ContinuousClock.now - start < .seconds(120))
    let fixed = runner
    let task = Task { try await fixed.run("install", data: Data(), environment: [:]) }
    try await Task.sleep(for: .milliseconds(300))
    task.cancel()
    let cancelledAt = ContinuousClock.now
    await #expect(throws: CancellationError.self) { try await task.value }
    #expect(ContinuousClock.now - cancelledAt < .seconds(120))
  }
}
