import Foundation
import PVCKit

/// Shows what a long command is doing, on standard error and only on a
/// terminal: a spinner with what is happening and the time spent, or a bar.
enum Progress {
  static var enabled: Bool {
    isatty(STDERR_FILENO) != 0 && !Terminal.isSet("PVC_QUIET") && !Terminal.isSet("PVC_SILENT")
  }

  /// Runs `work` while a spinner labelled `label` turns (no spinner for an empty label).
  static func spinning<T>(_ label: String, _ work: () async throws -> T) async throws -> T {
    guard enabled, !label.isEmpty else { return try await work() }
    let spinner = Task.detached {
      let frames = Array("⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏")
      let start = ContinuousClock.now
      var index = 0
      while !Task.isCancelled {
        let seconds = (ContinuousClock.now - start).components.seconds
        write("\r\u{1B}[K\(frames[index % frames.count]) \(label) (\(seconds) s)")
        index += 1
        try? await Task.sleep(for: .milliseconds(100))
      }
      write("\r\u{1B}[K")
    }
    defer { spinner.cancel() }
    let result = try await work()
    spinner.cancel()
    _ = await spinner.value
    return result
  }

  /// Redraws a bar: `current` of `total` steps and what is happening.
  static func bar(current: Int, total: Int, status: String) {
    guard enabled else { return }
    let width = 30
    let done = total > 0 ? min(width, current * width / total) : 0
    let bar = String(repeating: "█", count: done) + String(repeating: "░", count: width - done)
    write("\r\u{1B}[K\(bar) \(current)/\(total) \(status.prefix(60))")
  }

  /// Clears the progress line.
  static func clear() {
    if enabled { write("\r\u{1B}[K") }
  }

  private static func write(_ text: String) { FileHandle.standardError.write(Data(text.utf8)) }
}

/// Prints a log, then (if `follow`) what is added to it every second.
func printLog(follow: Bool, _ read: () async throws -> String) async throws {
  var last = try await read()
  output(last)
  while follow {
    try await Task.sleep(for: .seconds(1))
    let current = try await read()
    guard current != last else { continue }
    let added = LogTail.added(from: last, to: current)
    if !added.isEmpty { output(added.joined(separator: "\n")) }
    last = current
  }
}
