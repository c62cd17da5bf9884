import Foundation

/// `load`: the 1-minute load average against the node's CPUs (upstream's `load`: above the CPU count, −50).
struct LoadHealthPlugin: HealthPlugin {
  let name = "load"
  var loadavg = "/proc/loadavg"

  func check() async throws -> HealthCheck {
    let text = try String(contentsOfFile: loadavg, encoding: .utf8)
    guard let first = text.split(separator: " ").first, let load = Double(first), load.isFinite else {
      throw HealthPluginError.unreadable(loadavg)
    }
    let cpus = max(1, ProcessInfo.processInfo.activeProcessorCount)
    let data: JSONValue = .object(["load": .number(load), "cpus": .integer(cpus)])
    if load > Double(cpus) {
      return HealthCheck(delta: 50, message: "Load \(load) is above the \(cpus) CPUs", data: data)
    }
    return HealthCheck(delta: 0, message: "Load \(load) on \(cpus) CPUs", data: data)
  }
}

/// `memory`: how much of the node's memory is in use (MemAvailable of /proc/meminfo): above 90 %, −25; above
/// 97 %, −50 (VMs may fail to start or be killed).
struct MemoryHealthPlugin: HealthPlugin {
  let name = "memory"
  var meminfo = "/proc/meminfo"

  func check() async throws -> HealthCheck {
    let text = try String(contentsOfFile: meminfo, encoding: .utf8)
    var values: [String: Int] = [:]
    for line in text.split(separator: "\n").prefix(200) {
      let parts = line.split(separator: " ", omittingEmptySubsequences: true)
      guard parts.count >= 2, let value = Int(parts[1]) else { continue }
      values[String(parts[0].dropLast())] = value
    }
    guard let total = values["MemTotal"], total > 0, let available = values["MemAvailable"] else {
      throw HealthPluginError.unreadable(meminfo)
    }
    let used = Double(total - min(total, available)) / Double(total) * 100
    let percent = (used * 10).rounded() / 10
    let data: JSONValue = .object([
      "total_kib": .integer(total), "available_kib": .integer(available), "used_percent": .number(percent),
    ])
    switch used {
    case 97...: return HealthCheck(delta: 50, message: "Memory \(percent)% used", data: data)
    case 90...: return HealthCheck(delta: 25, message: "Memory \(percent)% used", data: data)
    default: return HealthCheck(delta: 0, message: "Memory \(percent)% used", data: data)
    }
  }
}

/// `disk`: the fullness of every local block-device file system (above 90 %, −10 each; above 97 %, −25 each), and
/// the SMART verdict of each disk when `smartctl` is installed (a failing disk, −50).
struct DiskHealthPlugin: HealthPlugin {
  let name = "disk"
  var mounts = "/proc/mounts"
  var smartctl = "/usr/sbin/smartctl"
  var timeout: Duration { .seconds(30) }

  func check() async throws -> HealthCheck {
    let text = try String(contentsOfFile: mounts, encoding: .utf8)
    var delta = 0
    var problems: [String] = []
    var seen: Set<String> = []
    var filesystems: [String: JSONValue] = [:]
    var devices: Set<String> = []
    for line in text.split(separator: "\n").prefix(1000) {
      let fields = line.split(separator: " ")
      guard fields.count >= 3, fields[0].hasPrefix("/dev/"), seen.insert(String(fields[0])).inserted else { continue }
      let device = String(fields[0])
      let mountPoint = String(fields[1]).replacingOccurrences(of: "\\040", with: " ")
      var info = statvfs()
      guard statvfs(mountPoint, &info) == 0, info.f_blocks > 0 else { continue }
      let used = Double(info.f_blocks - min(info.f_blocks, info.f_bavail)) / Double(info.f_blocks) * 100
      let percent = (used * 10).rounded() / 10
      filesystems[mountPoint] = .object(["device": .string(device), "used_percent": .number(percent)])
      devices.insert(Self.disk(of: device))
      if used >= 97 {
        delta += 25
        problems.append("\(mountPoint) is \(percent)% full")
      } else if used >= 90 {
        delta += 10
        problems.append("\(mountPoint) is \(percent)% full")
      }
    }
    var smart: [String: JSONValue] = [:]
    if FileManager.default.isExecutableFile(atPath: smartctl) {
      for device in devices.sorted() {
        let outcome = try await Command(smartctl).run(["-H", device], timeout: .seconds(10))
        // Bit 3 of smartctl's status: the disk is failing.
        let failing = outcome.status & 0x08 != 0
        smart[device] = .string(failing ? "failing" : outcome.status & 0x07 != 0 ? "unknown" : "passed")
        if failing {
          delta += 50
          problems.append("\(device) fails its SMART check")
        }
      }
    }
    let data: JSONValue = .object([
      "filesystems": .object(filesystems), "smart": smart.isEmpty ? .string("smartctl not installed") : .object(smart),
    ])
    return HealthCheck(
      delta: delta,
      message: problems.isEmpty ? "\(filesystems.count) file systems within limits" : problems.joined(separator: "; "),
      data: data)
  }

  /// The whole disk of a partition (`/dev/sda1` → `/dev/sda`, `/dev/nvme0n1p2` → `/dev/nvme0n1`).
  static func disk(of device: String) -> String {
    if device.contains("nvme"), let p = device.lastIndex(of: "p"),
      device[device.index(after: p)...].allSatisfy(\.isNumber),
      device.index(after: p) < device.endIndex
    {
      return String(device[..<p])
    }
    return String(device.reversed().drop { $0.isNumber }.reversed())
  }
}

/// Why a plugin could not check.
enum HealthPluginError: Error, CustomStringConvertible {
  case unreadable(String)
  case unavailable(String)

  var description: String {
    switch self {
    case .unreadable(let path): "\(path) could not be read"
    case .unavailable(let what): what
    }
  }
}
