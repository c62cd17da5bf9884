import Foundation
import Logging
import Synchronization

/// The network firewall, on every node: keeps the cluster's network rules
/// loaded into this node's nftables (table `inet pvckit`, see
/// ``NetworkFirewall``), reloading on every change to `/networks` and every
/// `interval`; only when the text changed, in one `nft -f` transaction.
///
/// Every node, not only the primary: the primary routes the networks' traffic
/// through its gateways, but guests on two nodes talk over their bridges and
/// VXLAN without it. With `bridge-nf-call-iptables` (set here) bridged IPv4 and
/// IPv6 pass the same `inet` forward hook, with connection tracking, so one
/// ruleset filters routed and bridged traffic alike where it crosses a node.
/// (nftables' own bridge family lacks `ct state` on many kernels, these among
/// them.) A stopping pvcd leaves the table loaded: the rules keep holding.
struct FirewallWorker: Sendable {
  let zookeeper: ZooKeeper
  let logger: Logger
  var interval: Duration = .seconds(10)
  let nft = Command("/usr/sbin/nft", "/sbin/nft", "/usr/bin/nft")

  /// Loads the rules until cancelled.
  func run() async {
    for family in ["iptables", "ip6tables"] {
      let path = "/proc/sys/net/bridge/bridge-nf-call-\(family)"
      if (try? "1\n".write(toFile: path, atomically: false, encoding: .utf8)) == nil {
        logger.warning("firewall: cannot set \(path): bridged traffic may pass unfiltered")
      }
    }
    let loaded = Mutex("")
    await NetworkChanges.follow(zookeeper, every: interval) {
      if let text = await load(unless: loaded.withLock { $0 }) { loaded.withLock { $0 = text } }
    }
  }

  /// Renders the rules and loads them if they differ from `current`; returns what is loaded.
  func load(unless current: String) async -> String? {
    do {
      let records = NetworkRecords(zookeeper: zookeeper)
      let networks = try await records.all()
      var acls: [Int: [NetworkACL]] = [:]
      for network in networks where network.type == .managed {
        acls[network.vni] = try await records.rules(network.vni)
      }
      let (text, problems) = NetworkFirewall.render(networks, acls: acls)
      for problem in problems { logger.warning("firewall: \(problem) (left out)") }
      guard text != current else { return current }
      let file = FileManager.default.temporaryDirectory.appendingPathComponent(
        "pvckit-firewall-\(UUID().uuidString).nft")
      try text.write(to: file, atomically: true, encoding: .utf8)
      defer { try? FileManager.default.removeItem(at: file) }
      let outcome = try await nft.run(["-f", file.path], timeout: .seconds(20))
      guard outcome.status == 0 else {
        logger.warning("firewall: nft -f failed: \(outcome.output.prefix(300))")
        return nil
      }
      logger.info("firewall: loaded the rules of \(networks.filter { $0.type == .managed }.count) managed networks")
      return text
    } catch {
      logger.warning("firewall: \(error)")
      return nil
    }
  }
}
