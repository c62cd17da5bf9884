/// An SR-IOV physical function of a node, as upstream's API shows it.
public struct SRIOVPhysicalFunction: Codable, Sendable, Hashable {
  /// Its device name.
  public var phy: String
  public var mtu: String
  /// The device names of its virtual functions.
  public var vfs: [String]

  /// Creates a PF.
  public init(phy: String, mtu: String, vfs: [String]) {
    self.phy = phy
    self.mtu = mtu
    self.vfs = vfs
  }
}

/// An SR-IOV virtual function of a node, as upstream's API shows it.
public struct SRIOVVirtualFunction: Codable, Sendable, Hashable {
  /// Its settings, applied by the node's pvcd.
  public struct Config: Codable, Sendable, Hashable {
    public var vlanID: String
    public var vlanQoS: String
    public var txRateMin: String
    public var txRateMax: String
    public var linkState: String
    public var spoofCheck: Bool
    public var trust: Bool
    public var queryRSS: Bool

    enum CodingKeys: String, CodingKey {
      case trust
      case vlanID = "vlan_id"
      case vlanQoS = "vlan_qos"
      case txRateMin = "tx_rate_min"
      case txRateMax = "tx_rate_max"
      case linkState = "link_state"
      case spoofCheck = "spoof_check"
      case queryRSS = "query_rss"
    }
  }

  /// Which VM uses it.
  public struct Usage: Codable, Sendable, Hashable {
    public var used: Bool
    public var domain: String
  }

  public var phy: String
  public var pf: String
  public var mtu: Int
  public var mac: String
  public var config: Config
  public var usage: Usage
}

/// Changes to a VF's settings (`PUT /sriov/vf/{node}/{vf}`); `nil` leaves a value as it is.
public struct SRIOVVirtualFunctionChange: Sendable, Hashable {
  public var vlanID: Int?
  public var vlanQoS: Int?
  public var txRateMin: Int?
  public var txRateMax: Int?
  public var linkState: String?
  public var spoofCheck: Bool?
  public var trust: Bool?
  public var queryRSS: Bool?

  /// Describes a change.
  public init(
    vlanID: Int? = nil, vlanQoS: Int? = nil, txRateMin: Int? = nil, txRateMax: Int? = nil, linkState: String? = nil,
    spoofCheck: Bool? = nil, trust: Bool? = nil, queryRSS: Bool? = nil
  ) {
    self.vlanID = vlanID
    self.vlanQoS = vlanQoS
    self.txRateMin = txRateMin
    self.txRateMax = txRateMax
    self.linkState = linkState
    self.spoofCheck = spoofCheck
    self.trust = trust
    self.queryRSS = queryRSS
  }

  /// The link states a VF may be set to.
  public static let linkStates = ["auto", "enable", "disable"]

  /// Refuses values the kernel would refuse.
  public func check() throws(NetworkError) {
    if let vlanID, !(0...4094).contains(vlanID) { throw .invalid("VLAN ID \(vlanID) is outside 0-4094") }
    if let vlanQoS, !(0...7).contains(vlanQoS) { throw .invalid("VLAN QoS \(vlanQoS) is outside 0-7") }
    for rate in [txRateMin, txRateMax].compactMap({ $0 }) where !(0...1_000_000).contains(rate) {
      throw .invalid("TX rate \(rate) is outside 0-1000000 Mbit/s")
    }
    if let low = txRateMin, let high = txRateMax, high > 0, low > high {
      throw .invalid("the minimum TX rate \(low) is above the maximum \(high)")
    }
    if let linkState, !Self.linkStates.contains(linkState) {
      throw .invalid(
        "link state '\(NetworkRules.shown(linkState))' is not one of \(Self.linkStates.joined(separator: ", "))")
    }
    if self == SRIOVVirtualFunctionChange() { throw .invalid("no changes to apply") }
  }
}
