import Foundation

/// A daemon that writes its own pid file (dnsmasq, FRR's zebra and bgpd):
/// found by that file, and only when the process it names is alive and was
/// started with `marker` among its arguments (a pid file outliving its process,
/// and the pid taken by another program, are not mistaken for it); stopped by pid.
struct PidFileDaemon: Sendable {
  let pidFile: String
  /// An argument the daemon was started with (such as its pid file option).
  let marker: String

  /// The daemon's process id, if it runs.
  var pid: pid_t? {
    guard let text = try? String(contentsOfFile: pidFile, encoding: .utf8),
      let pid = pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines)), pid > 1,
      GuestProcesses.isAlive(pid), let arguments = GuestProcesses.commandLine(of: String(pid)),
      arguments.contains(where: { $0.contains(marker) })
    else { return nil }
    return pid
  }

  /// Sends `signal` to the daemon; whether it was running.
  @discardableResult
  func signal(_ signal: Int32) -> Bool {
    guard let pid else { return false }
    return Foundation.kill(pid, signal) == 0
  }

  /// Stops the daemon: SIGTERM, then SIGKILL after `timeout`; waits until it is gone.
  func stop(timeout: Duration = .seconds(3)) async {
    guard let pid else { return }
    _ = Foundation.kill(pid, SIGTERM)
    let deadline = ContinuousClock.now + timeout
    while GuestProcesses.isAlive(pid) {
      if ContinuousClock.now >= deadline {
        _ = Foundation.kill(pid, SIGKILL)
        try? await Task.sleep(for: .milliseconds(50))
        break
      }
      try? await Task.sleep(for: .milliseconds(20))
    }
    try? FileManager.default.removeItem(atPath: pidFile)
  }
}
