/// A table of benchmark figures, each with its baseline from the same run.
struct Report {
  struct Row {
    var figure: String
    var value: Double
    var baselineName: String
    var baseline: Double
    var unit: String
    /// How much better the figure is than the baseline (higher is better).
    var ratio: Double { baseline > 0 ? value / baseline : 0 }
  }

  var title: String
  var rows: [Row] = []
  var notes: [String] = []

  mutating func add(_ figure: String, _ value: Double, against baselineName: String, _ baseline: Double, unit: String) {
    rows.append(Row(figure: figure, value: value, baselineName: baselineName, baseline: baseline, unit: unit))
  }

  func render() -> String {
    func number(_ value: Double) -> String {
      value >= 100 ? String(Int(value.rounded())) : String(format: "%.2f", value)
    }
    var lines = [
      "## \(title)", "", "| figure | value | baseline (same run) | baseline value | ratio |", "|---|---|---|---|---|",
    ]
    for row in rows {
      lines.append(
        "| \(row.figure) | \(number(row.value)) \(row.unit) | \(row.baselineName) | \(number(row.baseline)) \(row.unit) | \(String(format: "%.2fx", row.ratio)) |"
      )
    }
    if !notes.isEmpty { lines += [""] + notes }
    return lines.joined(separator: "\n")
  }
}

/// The median of some measurements.
func median(_ values: [Double]) -> Double {
  let sorted = values.sorted()
  return sorted.isEmpty ? 0 : sorted[sorted.count / 2]
}
