import Foundation
import Synchronization

/// `nics`: the node's network devices named in pvc.conf (the upstream, cluster and storage networks' devices and
/// the bridge device): each must exist and be up (−50 if not); errors or drops counted since the last check
/// (−10 per device with new ones). Speed and counters are in the data, as upstream's.
struct NICHealthPlugin: HealthPlugin {
  let name = "nics"
  let devices: [String]
  var sysfs = "/sys/class/net"
  /// The error counters of the last check, per device.
  private let previous = SharedState<[String: Int]>([:])

  init(devices: [String], sysfs: String = "/sys/class/net") {
    var seen: Set<String> = []
    self.devices = devices.filter {
      !$0.isEmpty && !$0.contains("/") && $0 != "." && $0 != ".." && seen.insert($0).inserted
    }
    self.sysfs = sysfs
  }

  func check() async throws -> HealthCheck {
    var delta = 0
    var problems: [String] = []
    var data: [String: JSONValue] = [:]
    for device in devices {
      let base = "\(sysfs)/\(device)"
      guard FileManager.default.fileExists(atPath: base) else {
        delta += 50
        problems.append("\(device) does not exist")
        continue
      }
      let state = read("\(base)/operstate") ?? "unknown"
      let speed = read("\(base)/speed").flatMap { Int($0) } ?? -1
      let counters = ["rx_errors", "tx_errors", "rx_dropped", "tx_dropped"].map {
        read("\(base)/statistics/\($0)").flatMap { Int($0) } ?? 0
      }
      let errors = counters.reduce(0) { $0.addingReportingOverflow($1).partialValue }
      data[device] = .object([
        "state": .string(state), "speed_mbps": .integer(speed), "rx_errors": .integer(counters[0]),
        "tx_errors": .integer(counters[1]), "rx_dropped": .integer(counters[2]), "tx_dropped": .integer(counters[3]),
      ])
      // "unknown" is what virtual devices (veth, bridges without carrier detection) report while working.
      if state != "up" && state != "unknown" {
        delta += 50
        problems.append("\(device) is \(state)")
      }
      let before = previous.withLock { previous in
        defer { previous[device] = errors }
        return previous[device]
      }
      if let before, errors > before {
        delta += 10
        problems.append("\(device) had \(errors - before) new errors or drops")
      }
    }
    return HealthCheck(
      delta: delta,
      message: problems.isEmpty ? "\(devices.count) network devices up" : problems.joined(separator: "; "),
      data: .object(data))
  }

  private func read(_ path: String) -> String? {
    (try? String(contentsOfFile: path, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
  }
}
