/// The values of storage requests, checked before anything reaches Ceph
/// (pure; upstream's formats): sizes such as `10G`, replication strings such
/// as `copies=3,mincopies=2`, placement group counts and tiers.
public enum StorageRules {
  /// A pool's replication (`copies=N,mincopies=M`).
  public struct Replication: Sendable, Hashable, CustomStringConvertible {
    public var copies: Int
    public var minimumCopies: Int
    public var description: String { "copies=\(copies),mincopies=\(minimumCopies)" }
  }

  /// The device classes a pool may be placed on (`default`: any).
  public static let tiers = ["default", "hdd", "ssd", "nvme"]

  /// Parses upstream's replication string; both keys are required, in any order.
  public static func replication(_ text: String) throws(CephError) -> Replication {
    var values: [String: Int] = [:]
    for part in text.split(separator: ",", omittingEmptySubsequences: false) {
      let pair = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
      guard pair.count == 2, ["copies", "mincopies"].contains(String(pair[0])), values[String(pair[0])] == nil,
        let number = Int(pair[1]), (1...9).contains(number)
      else {
        throw CephError(
          "check the replication", returned: -22,
          message: "'\(OperationParameter.shown(text))' is not a replication such as copies=3,mincopies=2 (1 to 9 each)"
        )
      }
      values[String(pair[0])] = number
    }
    guard let copies = values["copies"], let minimum = values["mincopies"], minimum <= copies else {
      throw CephError(
        "check the replication", returned: -22,
        message: "'\(OperationParameter.shown(text))' needs copies and mincopies, mincopies at most copies")
    }
    return Replication(copies: copies, minimumCopies: minimum)
  }

  /// Placement groups: a power of two from 1 to 4096 (what Ceph's balancer expects).
  public static func placementGroups(_ count: Int) throws(CephError) -> Int {
    guard (1...4096).contains(count), count & (count - 1) == 0 else {
      throw CephError(
        "check the placement groups", returned: -22, message: "\(count) is not a power of two from 1 to 4096")
    }
    return count
  }

  /// A tier name.
  public static func tier(_ text: String) throws(CephError) -> String {
    guard tiers.contains(text) else {
      throw CephError(
        "check the tier", returned: -22,
        message: "'\(OperationParameter.shown(text))' is not a tier (\(tiers.joined(separator: ", ")))")
    }
    return text
  }

  /// Bytes from upstream's size strings: a whole number with an optional unit `B`, `K`, `M`, `G`, `T` or `P`
  /// (powers of 1024, as upstream's), a trailing `B` or `iB` allowed (`10G`, `10GB`, `10GiB`, `512M`, `4096`).
  public static func bytes(_ text: String) throws(CephError) -> UInt64 {
    var rest = Substring(text.uppercased())
    if rest.hasSuffix("IB") {
      rest = rest.dropLast(2)
    } else if rest.hasSuffix("B"), rest.count > 1,
      let last = rest.dropLast().last, !last.isNumber
    {
      rest = rest.dropLast()
    }
    let units: [Character: UInt64] = ["B": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40, "P": 1 << 50]
    var multiplier: UInt64 = 1
    if let last = rest.last, let unit = units[last] {
      multiplier = unit
      rest = rest.dropLast()
    }
    guard !rest.isEmpty, rest.count <= 20, rest.allSatisfy({ $0.isASCII && $0.isNumber }), let number = UInt64(rest)
    else {
      throw CephError(
        "check the size", returned: -22,
        message: "'\(OperationParameter.shown(text))' is not a size such as 10G, 512M or 4096")
    }
    let (value, overflow) = number.multipliedReportingOverflow(by: multiplier)
    guard !overflow, value > 0 else {
      throw CephError("check the size", returned: -22, message: "'\(OperationParameter.shown(text))' is out of range")
    }
    return value
  }
}

extension StorageRules {
  /// A size in upstream's human form: the smallest unit of B, K, M, G, T, P in which it is at most 9999,
  /// rounded up (`10G`, `512M`, `1536M`).
  public static func human(_ bytes: UInt64) -> String {
    let units: [(String, UInt64)] = [
      ("B", 1), ("K", 1 << 10), ("M", 1 << 20), ("G", 1 << 30), ("T", 1 << 40), ("P", 1 << 50),
    ]
    for (unit, size) in units {
      let value = bytes / size + (bytes % size == 0 ? 0 : 1)
      if value <= 9999 { return "\(value)\(unit)" }
    }
    return "\(bytes / (1 << 50))P"
  }
}
