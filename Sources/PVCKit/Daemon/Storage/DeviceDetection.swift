import Foundation

/// Upstream's `detect:` device strings (`detect:INTEL:800GB:1`: the second disk whose vendor and model contain
/// `INTEL` and whose size, in lsscsi's decimal form, is `800GB`), resolved to a `/dev` path on the node. The
/// point: a disk is named the same on every node of the same build, whatever order the kernel found them in.
enum DeviceDetection {
  /// A disk as the node sees it.
  struct Disk: Sendable, Hashable {
    var name: String
    var model: String
    var bytes: UInt64
  }

  /// Whether `text` is a detect string.
  static func isDetect(_ text: String) -> Bool { text.hasPrefix("detect:") }

  /// The size as lsscsi shows it: decimal units, rounded (`800GB`, `1.92TB`).
  static func shown(_ bytes: UInt64) -> String {
    let units = ["B", "kB", "MB", "GB", "TB", "PB"]
    var value = Double(bytes)
    var unit = 0
    while value >= 1000, unit < units.count - 1 {
      value /= 1000
      unit += 1
    }
    let text = value >= 100 || value == value.rounded() ? String(Int(value.rounded())) : String(format: "%.2f", value)
    return text.replacingOccurrences(of: #"(\.\d*?)0+$"#, with: "$1", options: .regularExpression)
      .replacingOccurrences(of: #"\.$"#, with: "", options: .regularExpression) + units[unit]
  }

  /// The `/dev` path a detect string names among `disks` (sorted by name, as the kernel lists them).
  static func resolve(_ text: String, among disks: [Disk]) throws -> String {
    let parts = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
    guard parts.count == 4, parts[0] == "detect", !parts[1].isEmpty, !parts[2].isEmpty,
      let index = Int(parts[3]), index >= 0
    else {
      throw StorageError.invalid(
        "'\(OperationParameter.shown(text))' is not a detect string (detect:NAME:SIZE:ID, e.g. detect:INTEL:800GB:1)")
    }
    let name = parts[1].lowercased()
    let size = parts[2].lowercased()
    let matching = disks.sorted { $0.name < $1.name }.filter {
      $0.model.lowercased().contains(name) && shown($0.bytes).lowercased() == size
    }
    guard index < matching.count else {
      throw StorageError.invalid(
        "\(text): \(matching.count) disk\(matching.count == 1 ? "" : "s") match \(parts[1]) of \(parts[2]), so no number \(index)"
      )
    }
    return "/dev/" + matching[index].name
  }

  /// The node's disks from sysfs (`/sys/block/*`: vendor and model, size in 512-byte sectors).
  static func disks(sysfs: String = "/sys/block") -> [Disk] {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: sysfs)) ?? []
    return names.compactMap { name in
      func read(_ file: String) -> String {
        ((try? String(contentsOfFile: "\(sysfs)/\(name)/\(file)", encoding: .utf8)) ?? "")
          .trimmingCharacters(in: .whitespacesAndNewlines)
      }
      guard let sectors = UInt64(read("size")), sectors > 0 else { return nil }
      let model = [read("device/vendor"), read("device/model")].filter { !$0.isEmpty }.joined(separator: " ")
      return Disk(name: name, model: model, bytes: sectors.multipliedReportingOverflow(by: 512).partialValue)
    }
  }
}
