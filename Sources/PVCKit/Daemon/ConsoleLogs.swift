import Foundation

/// Copies the tail of each running VM's serial console log (written by libvirt
/// to `<directory>/<name>.log`) into its `consolelog` key when it changes.
struct ConsoleLogs: Sendable {
  let zookeeper: ZooKeeper
  let libvirt: LibvirtConnection
  let directory: String
  let lines: Int

  /// The last `lines` lines of a file (reading at most 1 MiB from its end).
  static func tail(_ path: String, lines: Int) -> String? {
    guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
    defer { try? handle.close() }
    let size = (try? handle.seekToEnd()) ?? 0
    let start = size > 1 << 20 ? size - (1 << 20) : 0
    try? handle.seek(toOffset: start)
    let data = (try? handle.readToEnd()) ?? Data()
    let text = String(decoding: data, as: UTF8.self)
    var all = text.split(separator: "\n", omittingEmptySubsequences: false)
    if all.last == "" { all.removeLast() }
    return all.suffix(lines).joined(separator: "\n")
  }

  /// Runs until cancelled, checking every second.
  func run() async {
    var written: [String: Date] = [:]
    while !Task.isCancelled {
      if let domains = try? await libvirt.activeDomains() {
        for domain in domains {
          let path = "\(directory)/\(domain.name).log"
          guard let modified = (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date,
            written[domain.uuid] != modified, let text = Self.tail(path, lines: lines),
            let ref = try? Layout.domain(domain.uuid)
          else { continue }
          if (try? await zookeeper.set(ref.path(.consoleLog), text)) != nil { written[domain.uuid] = modified }
        }
      }
      try? await Task.sleep(for: .seconds(1))
    }
  }
}
