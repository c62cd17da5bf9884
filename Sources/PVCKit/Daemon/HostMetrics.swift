import Foundation

/// Memory and load of the machine the node daemon runs on, from /proc.
struct HostMetrics: Sendable, Hashable {
  /// MiB.
  var memoryTotal: Int
  /// MiB available for new work (MemAvailable).
  var memoryFree: Int
  /// 1-minute load average.
  var load: Double
  var cpus: Int

  var memoryUsed: Int { max(0, memoryTotal - memoryFree) }

  static func read() -> HostMetrics {
    let meminfo = (try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8)) ?? ""
    func kib(_ key: String) -> Int {
      guard let line = meminfo.split(separator: "\n").first(where: { $0.hasPrefix(key + ":") }) else { return 0 }
      return Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
    }
    let loadavg = (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8)) ?? ""
    return HostMetrics(
      memoryTotal: kib("MemTotal") / 1024, memoryFree: kib("MemAvailable") / 1024,
      load: Double(loadavg.split(separator: " ").first ?? "") ?? 0,
      cpus: ProcessInfo.processInfo.activeProcessorCount)
  }

  /// Upstream's static data: `<cpus> <kernel> <os> <arch>`.
  static func staticData() -> String {
    var name = utsname()
    uname(&name)
    func field<T>(_ value: T) -> String {
      withUnsafeBytes(of: value) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
    }
    return "\(ProcessInfo.processInfo.activeProcessorCount) \(field(name.release)) GNU/Linux \(field(name.machine))"
  }
}
