import Foundation
import Synchronization

/// Recent CPU and memory samples per VM, for the sparklines: each look at a VM
/// adds a sample (its pages refresh every few seconds).
final class VMStatsHistory: Sendable {
  private struct Sample {
    var time: Double
    var cpuTime: Double
    var rss: Double
  }
  private let samples = Mutex<[String: [Sample]]>([:])
  let keep = 30

  /// Records a sample and returns the CPU use (% of one core between samples) and RSS (MiB) series.
  func record(uuid: String, cpuTime: Int, rssKiB: Int) -> (cpu: [Double], memory: [Double]) {
    let now = Date().timeIntervalSince1970
    return samples.withLock { all in
      var series = all[uuid] ?? []
      if let last = series.last, now - last.time < 1 { series.removeLast() }
      series.append(Sample(time: now, cpuTime: Double(cpuTime), rss: Double(rssKiB) / 1024))
      if series.count > keep { series.removeFirst(series.count - keep) }
      all[uuid] = series
      let cpu = zip(series, series.dropFirst()).map { a, b in
        // libvirt's cpu_time is in nanoseconds.
        max(0, (b.cpuTime - a.cpuTime) / max(b.time - a.time, 0.001) / 1e7)
      }
      return (cpu, series.map(\.rss))
    }
  }
}
