import Foundation

/// Numbers that come from outside (a request, a file, ZooKeeper, a guest's
/// statistics) are converted and combined here without ever trapping: a value
/// that is not finite or does not fit is `nil` (the caller reports it), and sums
/// hold at the bounds instead of overflowing.
public enum CheckedNumbers {
  /// The largest magnitude a number read from the cluster may have: 2⁵³, which a
  /// `Double` (and so every JSON reader) still holds exactly, and which thousands
  /// of can be added in an `Int` without overflowing.
  public static let maximumMagnitude = 1 << 53
}

extension Int {
  /// The integer part of `value`, or `nil` when `value` is not finite or its
  /// integer part does not fit in an `Int`.
  public init?(checkedTruncating value: Double) {
    // 2⁶³ is exactly representable; every finite Double below it in magnitude converts.
    guard value.isFinite, value > -9_223_372_036_854_775_808.0, value < 9_223_372_036_854_775_808.0 else {
      return nil
    }
    self.init(value)
  }

  /// Parses decimal text (surrounding spaces allowed) and accepts it only within
  /// ±``CheckedNumbers/maximumMagnitude``.
  public init?(bounded text: some StringProtocol) {
    guard let value = Int(text.trimmingCharacters(in: .whitespaces)),
      value.magnitude <= UInt(CheckedNumbers.maximumMagnitude)
    else { return nil }
    self = value
  }

  /// `self + other`, held at `Int.min`/`Int.max` instead of overflowing.
  public func addingSaturated(_ other: Int) -> Int {
    let (sum, overflow) = addingReportingOverflow(other)
    guard overflow else { return sum }
    return other > 0 ? .max : .min
  }

  /// `self - other`, held at `Int.min`/`Int.max` instead of overflowing.
  public func subtractingSaturated(_ other: Int) -> Int {
    let (difference, overflow) = subtractingReportingOverflow(other)
    guard overflow else { return difference }
    return other < 0 ? .max : .min
  }

  /// `self × other`, held at `Int.min`/`Int.max` instead of overflowing.
  public func multipliedSaturated(by other: Int) -> Int {
    let (product, overflow) = multipliedReportingOverflow(by: other)
    guard overflow else { return product }
    return (self < 0) == (other < 0) ? .max : .min
  }
}

extension Double {
  /// Parses decimal text and accepts it only when finite and within
  /// ±``CheckedNumbers/maximumMagnitude`` (`inf`, `nan` and `1e400` are `nil`).
  public init?(bounded text: some StringProtocol) {
    guard let value = Double(text.trimmingCharacters(in: .whitespaces)), value.isFinite,
      value.magnitude <= Double(CheckedNumbers.maximumMagnitude)
    else { return nil }
    self = value
  }
}

extension Sequence {
  /// The sum of `value` over the elements, held at the bounds instead of overflowing.
  public func saturatingSum(_ value: (Element) throws -> Int) rethrows -> Int {
    try reduce(0) { $0.addingSaturated(try value($1)) }
  }
}
