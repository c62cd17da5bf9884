import Logging

/// The primary's gateways: each managed network's IPv4 and IPv6 gateway on its
/// bridge `vmbr<vni>` (made on every node by the link worker), then the
/// network's DHCP/DNS server (``DHCPServers``), kept in place on every change to
/// `/networks` and every `interval`; leases are copied into ZooKeeper every
/// `leaseInterval`. Stopping the duty stops the servers and removes the
/// addresses (the next primary adds them); ``clearLeftovers()`` does the same
/// at pvcd's start for what a crashed run left behind.
struct GatewayDuty: Sendable {
  let zookeeper: ZooKeeper
  let logger: Logger
  let servers: DHCPServers
  var interval: Duration = .seconds(10)
  var leaseInterval: Duration = .seconds(1)
  let ip = Command("/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip")
  let reported = FailureLog()

  /// A duty whose DHCP servers keep their files under `directory`.
  init(zookeeper: ZooKeeper, directory: String, logger: Logger) {
    self.zookeeper = zookeeper
    self.logger = logger
    servers = DHCPServers(zookeeper: zookeeper, directory: directory, logger: logger)
  }

  /// The duty, for the primary agent.
  func duty() -> LoopDuty {
    LoopDuty(name: "gateways") {
      await withTaskGroup(of: Void.self) { group in
        group.addTask { await run() }
        group.addTask {
          while !Task.isCancelled {
            await servers.syncLeases()
            try? await Task.sleep(for: leaseInterval)
          }
        }
      }
      // Handed over or stopped: give everything up (in a task of its own: this one is cancelled).
      await Task { await clearLeftovers() }.value
    }
  }

  /// Stops this node's DHCP servers and removes the gateway addresses from its bridges.
  func clearLeftovers() async {
    await servers.stopAll()
    for (address, bridge) in (try? await gateways()) ?? [] {
      _ = try? await ip.run(["address", "del", address, "dev", bridge], timeout: .seconds(10))
    }
  }

  /// The gateway addresses (with their prefix) and bridges of the managed networks.
  func gateways(_ networks: [NetworkInfo]? = nil) async throws -> [(String, String)] {
    var all = networks ?? []
    if networks == nil { all = try await NetworkRecords(zookeeper: zookeeper).all() }
    return all.filter { $0.type == .managed }.flatMap { network in
      [(network.ip4.gateway, network.ip4.network), (network.ip6.gateway, network.ip6.network)].compactMap {
        gateway, subnet -> (String, String)? in
        guard let subnet = IPNetwork(subnet), let address = IPAddress(gateway), subnet.contains(address) else {
          return nil
        }
        return ("\(address)/\(subnet.prefixLength)", "vmbr\(network.vni)")
      }
    }
  }

  /// Keeps the addresses and servers in place until cancelled.
  func run() async {
    await NetworkChanges.follow(zookeeper, every: interval) {
      do {
        let networks = try await NetworkRecords(zookeeper: zookeeper).all()
        for (address, bridge) in try await gateways(networks) {
          // IPv6 without duplicate address detection: usable at once (dnsmasq binds to it next).
          let command = ["address", "replace", address, "dev", bridge] + (address.contains(":") ? ["nodad"] : [])
          let outcome = try await ip.run(command, timeout: .seconds(10))
          let text = "ip " + command.joined(separator: " ")
          if outcome.status == 0 {
            // Newly here (a handover): tell the guests at once.
            if reported.isNew("announced \(address)"), let v4 = IPv4Address(String(address.prefix { $0 != "/" })) {
              GratuitousARP.announce(v4, on: bridge)
            }
            reported.forget(text)
          } else if reported.isNew(text) {
            logger.warning("gateways: \(text) failed: \(outcome.output.prefix(200))")
          }
        }
        await servers.reconcile(networks)
      } catch {
        logger.warning("gateways: \(error)")
      }
    }
  }
}
