/// Where a node makes its client networks' links (from `pvc.conf`).
public struct NetworkLinkSettings: Sendable, Hashable {
  /// The cluster network's device, under every VXLAN.
  public var clusterDevice: String
  public var clusterMTU: Int
  /// The device bridged networks' VLANs are made on (`guest_networking.bridge_device`).
  public var bridgeDevice: String
  public var bridgeMTU: Int
  /// This node's address on the cluster network, the VXLANs' source (their VTEP, which BGP EVPN announces).
  public var vtepAddress: String?

  /// Creates settings.
  public init(clusterDevice: String, clusterMTU: Int, bridgeDevice: String, bridgeMTU: Int) {
    self.clusterDevice = clusterDevice
    self.clusterMTU = clusterMTU
    self.bridgeDevice = bridgeDevice
    self.bridgeMTU = bridgeMTU
  }

  /// A VXLAN carries 50 bytes of headers over the cluster network.
  public static let vxlanOverhead = 50
}

/// One link as the kernel shows it (`ip -details -json link show`).
struct LinkState: Sendable, Hashable {
  enum Kind: Sendable, Hashable {
    case bridge
    case vxlan(id: Int, device: String, local: String)
    case vlan(id: Int, device: String)
    case other
  }
  var name: String
  var kind: Kind
  var master: String?
  var mtu: Int
  var isUp: Bool

  /// The links in `ip -details -json link show`'s output; entries it cannot read are left out.
  static func parse(_ json: String) -> [LinkState] {
    guard case .array(let entries) = try? JSONValue(parsing: json) else { return [] }
    return entries.compactMap { entry in
      guard case .object(let link) = entry, case .string(let name)? = link["ifname"] else { return nil }
      let info: [String: JSONValue] = if case .object(let info)? = link["linkinfo"] { info } else { [:] }
      let data: [String: JSONValue] = if case .object(let data)? = info["info_data"] { data } else { [:] }
      let id = Self.int(data["id"])
      var local = ""
      if case .string(let address)? = data["local"] { local = address }
      var device = ""
      if case .string(let link)? = link["link"] { device = link }
      if case .string(let link)? = data["link"] { device = link }
      let kind: Kind =
        switch info["info_kind"] {
        case .string("bridge")?: .bridge
        case .string("vxlan")?: .vxlan(id: id, device: device, local: local)
        case .string("vlan")?: .vlan(id: id, device: device)
        default: .other
        }
      let mtu = Self.int(link["mtu"])
      var master: String?
      if case .string(let value)? = link["master"] { master = value }
      var up = false
      if case .array(let flags)? = link["flags"] { up = flags.contains(.string("UP")) }
      return LinkState(name: name, kind: kind, master: master, mtu: mtu, isUp: up)
    }
  }

  /// A whole number of ip's JSON (0 if it is not one).
  static func int(_ value: JSONValue?) -> Int {
    switch value {
    case .integer(let whole)?: whole
    case .number(let number)?: Int(exactly: number.rounded()) ?? 0
    default: 0
    }
  }
}

/// What to change so that a node's links match its networks: a pure plan of
/// `ip` argument lists (tested directly; `NetworkLinkWorker` runs it).
enum NetworkLinkPlan {
  /// The links a network needs: its bridge and its port (VXLAN or VLAN), with their MTU.
  struct Wanted: Sendable, Hashable {
    var vni: Int
    var bridge: String { "vmbr\(vni)" }
    var port: String
    var portKind: LinkState.Kind
    var mtu: Int
  }

  /// Link names PVCKit owns; any other link is left alone.
  static func isOurs(_ name: String) -> Bool {
    for prefix in ["vmbr", "vxlan", "vlan"] where name.hasPrefix(prefix) {
      let digits = name.dropFirst(prefix.count)
      return !digits.isEmpty && digits.count <= 8 && digits.allSatisfy { $0.isASCII && $0.isNumber }
    }
    return false
  }

  /// What each network needs on this node.
  static func wanted(_ networks: [NetworkInfo], settings: NetworkLinkSettings) -> [Wanted] {
    networks.map { network in
      switch network.type {
      case .managed:
        let ceiling = settings.clusterMTU - NetworkLinkSettings.vxlanOverhead
        return Wanted(
          vni: network.vni, port: "vxlan\(network.vni)",
          portKind: .vxlan(id: network.vni, device: settings.clusterDevice, local: settings.vtepAddress ?? ""),
          mtu: min(network.mtu ?? ceiling, ceiling))
      case .bridged:
        return Wanted(
          vni: network.vni, port: "vlan\(network.vni)", portKind: .vlan(id: network.vni, device: settings.bridgeDevice),
          mtu: min(network.mtu ?? settings.bridgeMTU, settings.bridgeMTU))
      }
    }
  }

  /// The `ip` commands (argument lists) that make `existing` match `networks`.
  static func commands(for networks: [NetworkInfo], existing: [LinkState], settings: NetworkLinkSettings)
    -> [[String]]
  {
    let wanted = Self.wanted(networks, settings: settings)
    let byName = Dictionary(existing.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
    var wantedNames: [String: LinkState.Kind] = [:]
    for want in wanted {
      wantedNames[want.bridge] = .bridge
      wantedNames[want.port] = want.portKind
    }
    var deletes: [[String]] = []
    var creates: [[String]] = []
    var sets: [[String]] = []
    // Links of ours that no network wants, or that are of the wrong kind, go.
    for link in existing where isOurs(link.name) {
      if wantedNames[link.name] != link.kind { deletes.append(["link", "del", link.name]) }
    }
    let deleted = Set(deletes.map { $0[2] })
    for want in wanted {
      let bridge = byName[want.bridge].flatMap { deleted.contains($0.name) ? nil : $0 }
      if bridge == nil { creates.append(["link", "add", want.bridge, "type", "bridge"]) }
      if bridge?.mtu != want.mtu || bridge?.isUp != true {
        sets.append(["link", "set", want.bridge, "mtu", String(want.mtu), "up"])
      }
      let port = byName[want.port].flatMap { deleted.contains($0.name) ? nil : $0 }
      if port == nil {
        switch want.portKind {
        case .vxlan(let id, let device, let local):
          creates.append(
            ["link", "add", want.port, "type", "vxlan", "id", String(id), "dstport", "4789", "dev", device]
              + (local.isEmpty ? [] : ["local", local]) + ["nolearning"])
        case .vlan(let id, let device):
          creates.append(["link", "add", want.port, "link", device, "type", "vlan", "id", String(id)])
        case .bridge, .other: break
        }
      }
      if port?.master != want.bridge || port?.mtu != want.mtu || port?.isUp != true {
        sets.append(["link", "set", want.port, "master", want.bridge, "mtu", String(want.mtu), "up"])
        if case .vxlan = want.portKind {
          // The bridge learns no addresses behind a VXLAN either: they all come from BGP EVPN.
          sets.append(["link", "set", want.port, "type", "bridge_slave", "learning", "off"])
        }
      }
    }
    return deletes + creates + sets
  }
}
