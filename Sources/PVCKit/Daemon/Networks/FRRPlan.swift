/// The BGP EVPN configuration of one node's FRR (zebra and bgpd), generated
/// from `pvc.conf` (tested directly; ``FRRWorker`` runs it). Every node speaks
/// iBGP with `address-family l2vpn evpn` and `advertise-all-vni`, so that each
/// `vxlan<vni>` learns the other nodes' VTEPs and guests' MAC addresses from
/// BGP (no flooding to fixed addresses, no data-plane learning). Coordinators
/// are route reflectors: they peer with every node and reflect the others'
/// routes; other nodes peer with the coordinators only.
struct FRRPlan: Sendable, Hashable {
  /// A BGP neighbour.
  struct Peer: Sendable, Hashable {
    var name: String
    var address: IPv4Address
    /// A node this one reflects routes to (set on coordinators for the other nodes).
    var isReflectorClient: Bool
  }

  var node: String
  /// This node's address on the cluster network: router id, VTEP and BGP source.
  var address: IPv4Address
  var asn: Int
  var peers: [Peer]
  /// Where FRR keeps its files (configuration, pid files, sockets, log).
  var directory: String

  /// The plan for `node` from the cluster configuration; `nil` when the node has no cluster address.
  static func from(
    _ configuration: PVCConfiguration, node: String, asn: Int, directory: String
  ) -> FRRPlan? {
    let network = configuration.cluster.cluster
    guard let address = network.address(of: node, isSelf: true) else { return nil }
    let coordinators = Set(configuration.cluster.coordinatorNodes)
    let isCoordinator = coordinators.contains(node)
    let candidates = isCoordinator ? configuration.cluster.allNodes : configuration.cluster.coordinatorNodes
    var seen: Set<IPv4Address> = [address]
    let peers = candidates.filter { $0 != node }.compactMap { peer -> Peer? in
      guard let peerAddress = network.address(of: peer), seen.insert(peerAddress).inserted else { return nil }
      return Peer(name: peer, address: peerAddress, isReflectorClient: isCoordinator && !coordinators.contains(peer))
    }
    return FRRPlan(node: node, address: address, asn: asn, peers: peers, directory: directory)
  }

  /// Whether a name is safe in FRR's configuration (a host name: letters, digits, `-`, `.`, `_`).
  static func isSafeName(_ name: String) -> Bool {
    (1...63).contains(name.utf8.count)
      && name.unicodeScalars.allSatisfy {
        $0.isASCII && ($0.properties.isAlphabetic || "0123456789-._".unicodeScalars.contains($0))
      }
  }

  /// The configuration file (`frr.conf`), read by both daemons.
  var text: String {
    let hostname = Self.isSafeName(node) ? node : "pvc-node"
    var lines = [
      "frr defaults datacenter", "hostname \(hostname)", "log file \(directory)/frr.log informational",
      "service integrated-vtysh-config", "!", "router bgp \(asn)", " bgp router-id \(address)",
      " no bgp default ipv4-unicast", " no bgp ebgp-requires-policy", " coalesce-time 100",
    ]
    for peer in peers {
      let description = Self.isSafeName(peer.name) ? peer.name : "node"
      lines += [
        " neighbor \(peer.address) remote-as \(asn)", " neighbor \(peer.address) description \(description)",
        " neighbor \(peer.address) update-source \(address)", " neighbor \(peer.address) timers 3 9",
        " neighbor \(peer.address) timers connect 1",
      ]
    }
    lines += [" !", " address-family l2vpn evpn"]
    for peer in peers {
      lines.append("  neighbor \(peer.address) activate")
      if peer.isReflectorClient { lines.append("  neighbor \(peer.address) route-reflector-client") }
    }
    lines += ["  advertise-all-vni", " exit-address-family", "exit", "!"]
    return lines.joined(separator: "\n") + "\n"
  }

  /// A daemon's pid file.
  func pidFile(_ daemon: String) -> String { "\(directory)/\(daemon).pid" }
  var configurationFile: String { "\(directory)/frr.conf" }

  /// The arguments that start `daemon` (`zebra` or `bgpd`): in the background,
  /// with this node's files only, no TCP vty, as user `frr`.
  func arguments(_ daemon: String) -> [String] {
    [
      "-d", "-f", configurationFile, "-i", pidFile(daemon), "-z", "\(directory)/zserv.api", "--vty_socket", directory,
      "-P", "0", "-u", "frr", "-g", "frr",
    ]
  }
}
