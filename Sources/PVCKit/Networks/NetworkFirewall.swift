/// The nftables ruleset of the cluster's managed networks, rendered by PVCKit
/// from typed rules only: table `inet pvckit` with a `forward` chain jumping to
/// `vxlan<vni>-in` (traffic to the network) and `vxlan<vni>-out` (from it), each
/// holding the network's rules in order. The text replaces the table in one
/// `nft -f` transaction and touches no other table.
public enum NetworkFirewall {
  /// The table PVCKit owns.
  public static let table = "pvckit"

  /// The ruleset for `networks` and their rules (by VNI). A stored rule that
  /// does not parse (written around PVCKit) is left out and returned as a problem.
  public static func render(_ networks: [NetworkInfo], acls: [Int: [NetworkACL]]) -> (
    text: String, problems: [String]
  ) {
    var problems: [String] = []
    var jumps: [String] = []
    var chains: [String] = []
    for network in networks where network.type == .managed {
      let subnets = [network.ip4.network, network.ip6.network].compactMap(IPNetwork.init)
      for subnet in subnets {
        let family = subnet.isV4 ? "ip" : "ip6"
        jumps.append("    \(family) daddr \(subnet) jump vxlan\(network.vni)-in")
        jumps.append("    \(family) saddr \(subnet) jump vxlan\(network.vni)-out")
      }
      for direction in Layout.RuleDirection.allCases {
        let rules = (acls[network.vni] ?? []).filter { $0.direction == direction.rawValue }.sorted {
          ($0.order, $0.description) < ($1.order, $1.description)
        }
        var lines: [String] = []
        for acl in rules {
          do {
            lines.append("    \(try ACLRule(parsing: acl.rule))")
          } catch {
            problems.append("network \(network.vni), rule \"\(acl.description)\": \(error)")
          }
        }
        chains.append(
          "  chain vxlan\(network.vni)-\(direction.rawValue) {\n" + lines.map { $0 + "\n" }.joined() + "  }")
      }
    }
    let forward =
      "  chain forward {\n    type filter hook forward priority 0; policy accept;\n"
      + jumps.map { $0 + "\n" }.joined() + "  }"
    let text = """
      table inet \(table)
      delete table inet \(table)
      table inet \(table) {
      \(([forward] + chains).joined(separator: "\n"))
      }

      """
    return (text, problems)
  }
}
