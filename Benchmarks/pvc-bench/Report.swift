import Foundation

/// A table of benchmark figures, each with its baseline from the same run.
struct Report {
  /// Which way a figure is better.
  enum Better: String {
    case lower, higher
  }

  struct Row {
    var figure: String
    var value: Double
    var baselineName: String
    /// `nil` when the baseline was not measured in this run (shown as n/a).
    var baseline: Double?
    var unit: String
    var better: Better

    /// The figure over its baseline, or `nil` without a baseline.
    var ratio: Double? {
      guard let baseline, baseline > 0, value.isFinite else { return nil }
      return value / baseline
    }
  }

  var title: String
  var rows: [Row] = []
  var notes: [String] = []

  /// Adds a figure; a `nil` or zero baseline (not measured, or skipped) shows as n/a.
  mutating func add(
    _ figure: String, _ value: Double?, against baselineName: String, _ baseline: Double?, unit: String,
    better: Better
  ) {
    rows.append(
      Row(
        figure: figure, value: value ?? .nan, baselineName: baselineName,
        baseline: baseline.flatMap { $0 > 0 ? $0 : nil }, unit: unit, better: better))
  }

  /// A number with three significant digits (`0.00189`, `12.3`, `40007`).
  static func number(_ value: Double) -> String {
    guard value.isFinite else { return "n/a" }
    if value >= 100 { return String(Int(value.rounded())) }
    if value == 0 { return "0" }
    var digits = 2
    var scaled = abs(value)
    while scaled < 1 && digits < 8 {
      scaled *= 10
      digits += 1
    }
    return String(format: "%.\(digits)f", value)
  }

  func render() -> String {
    var lines = [
      "## \(title)", "",
      "| figure | value | baseline (same run) | baseline value | ratio (figure / baseline) | better |",
      "|---|---|---|---|---|---|",
    ]
    for row in rows {
      let baseline = row.baseline.map { "\(Self.number($0)) \(row.unit)" } ?? "n/a"
      let ratio = row.ratio.map { "\(Self.number($0))x" } ?? "n/a"
      lines.append(
        "| \(row.figure) | \(Self.number(row.value)) \(row.unit) | \(row.baselineName) | \(baseline) | \(ratio) | \(row.better.rawValue) |"
      )
    }
    if !notes.isEmpty { lines += [""] + notes }
    return lines.joined(separator: "\n")
  }
}

/// The median of some measurements (`nil` when there are none).
func median(_ values: [Double]) -> Double? {
  let sorted = values.sorted()
  return sorted.isEmpty ? nil : sorted[sorted.count / 2]
}

/// The median of some durations in seconds, in milliseconds (`nil` when there are none).
func milliseconds(_ seconds: [Double]) -> Double? { median(seconds).map { $0 * 1000 } }
