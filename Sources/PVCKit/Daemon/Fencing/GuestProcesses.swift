import Foundation

/// The QEMU processes of this node's guests, found in `/proc` by the `-uuid`
/// argument libvirt gives every guest: what a self-fencing node kills first,
/// all at once, without waiting on libvirtd (which takes about a second per
/// guest to destroy one, and may be what hangs).
///
/// Only processes in this process's network namespace count, so that nodes
/// simulated on one machine (namespaces sharing `/proc`) never touch each
/// other's guests; on a real node that is every process.
enum GuestProcesses {
  /// The process ids of the guests with these UUIDs, with each one's UUID.
  static func pids(of uuids: Set<String>) -> [(pid: pid_t, uuid: String)] {
    guard !uuids.isEmpty, let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return [] }
    let ownNamespace = namespace(of: "self")
    var found: [(pid_t, String)] = []
    for entry in entries {
      guard let pid = pid_t(entry), pid > 1, let arguments = commandLine(of: entry),
        let index = arguments.firstIndex(of: "-uuid"), index + 1 < arguments.count
      else { continue }
      let uuid = arguments[index + 1].lowercased()
      guard uuids.contains(uuid), namespace(of: entry) == ownNamespace else { continue }
      found.append((pid, uuid))
    }
    return found
  }

  /// Kills the guests with these UUIDs at once (SIGKILL) and waits (up to
  /// `timeout`) until their processes are gone.
  /// - Returns: the UUIDs whose processes were killed and are gone.
  static func kill(_ uuids: Set<String>, timeout: Duration = .seconds(5)) async -> Set<String> {
    let targets = pids(of: uuids)
    for target in targets { _ = Foundation.kill(target.pid, SIGKILL) }
    let deadline = ContinuousClock.now + timeout
    var left = targets
    while !left.isEmpty, ContinuousClock.now < deadline {
      left = left.filter { isAlive($0.pid) }
      if !left.isEmpty { try? await Task.sleep(for: .milliseconds(5)) }
    }
    return Set(targets.map(\.uuid)).subtracting(left.map(\.uuid))
  }

  /// Whether a process exists and is not a zombie.
  static func isAlive(_ pid: pid_t) -> Bool {
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
      let close = stat.lastIndex(of: ")")
    else { return false }
    return stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces).first != "Z"
  }

  /// The arguments of a process (from `/proc/<pid>/cmdline`, at most 64 KiB read).
  static func commandLine(of entry: String) -> [String]? {
    guard let handle = FileHandle(forReadingAtPath: "/proc/\(entry)/cmdline") else { return nil }
    defer { try? handle.close() }
    guard let data = try? handle.read(upToCount: 1 << 16), !data.isEmpty else { return nil }
    return data.split(separator: 0, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
  }

  /// The network namespace of a process (`net:[4026531840]`), or `nil`.
  private static func namespace(of entry: String) -> String? {
    try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(entry)/ns/net")
  }
}
