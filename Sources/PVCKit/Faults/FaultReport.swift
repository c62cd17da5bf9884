public import Foundation

/// A fault to raise or refresh.
public struct FaultReport: Sendable, Hashable {
  /// The fault's id, built from its kind and subject (e.g. `DEAD_NODE_hv2`), so that
  /// the same cause always refreshes the same fault.
  public var id: String
  /// How much it lowers cluster health while unacknowledged.
  public var healthDelta: Int
  /// What is wrong, for people.
  public var message: String
  /// When it was seen.
  public var time: Date

  /// Creates a report.
  public init(id: String, healthDelta: Int, message: String, time: Date = Date()) {
    self.id = id
    self.healthDelta = healthDelta
    self.message = message
    self.time = time
  }
}

/// Fault times as upstream stores them: `YYYY-MM-DD HH:MM:SS`, in UTC.
enum FaultTime {
  static func format(_ date: Date) -> String {
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = TimeZone(identifier: "UTC")!
    let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
    return String(
      format: "%04d-%02d-%02d %02d:%02d:%02d", c.year ?? 0, c.month ?? 0, c.day ?? 0, c.hour ?? 0, c.minute ?? 0,
      c.second ?? 0)
  }
}
