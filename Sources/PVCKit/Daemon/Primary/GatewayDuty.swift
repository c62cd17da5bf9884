import Logging

/// The primary's gateway addresses: each managed network's IPv4 and IPv6
/// gateway on its bridge `vmbr<vni>` (made on every node by the link worker),
/// kept in place on every change to `/networks` and every `interval`, removed
/// when the duty stops (the next primary adds them).
struct GatewayDuty: Sendable {
  let zookeeper: ZooKeeper
  let logger: Logger
  var interval: Duration = .seconds(10)
  let ip = Command("/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip")
  let reported = FailureLog()

  /// The duty, for the primary agent.
  func duty() -> LoopDuty {
    LoopDuty(name: "gateways") {
      await run()
      // Handed over or stopped: give the addresses up (in a task of its own: this one is cancelled).
      await Task {
        for (address, bridge) in (try? await gateways()) ?? [] {
          _ = try? await ip.run(["address", "del", address, "dev", bridge], timeout: .seconds(10))
        }
      }.value
    }
  }

  /// The gateway addresses (with their prefix) and bridges of the managed networks.
  func gateways() async throws -> [(String, String)] {
    try await NetworkRecords(zookeeper: zookeeper).all().filter { $0.type == .managed }.flatMap { network in
      [(network.ip4.gateway, network.ip4.network), (network.ip6.gateway, network.ip6.network)].compactMap {
        gateway, subnet -> (String, String)? in
        guard let subnet = IPNetwork(subnet), let address = IPAddress(gateway), subnet.contains(address) else {
          return nil
        }
        return ("\(address)/\(subnet.prefixLength)", "vmbr\(network.vni)")
      }
    }
  }

  /// Keeps the addresses in place until cancelled.
  func run() async {
    await NetworkChanges.follow(zookeeper, every: interval) {
      do {
        for (address, bridge) in try await gateways() {
          let command = ["address", "replace", address, "dev", bridge]
          let outcome = try await ip.run(command, timeout: .seconds(10))
          let text = "ip " + command.joined(separator: " ")
          if outcome.status == 0 {
            reported.forget(text)
          } else if reported.isNew(text) {
            logger.warning("gateways: \(text) failed: \(outcome.output.prefix(200))")
          }
        }
      } catch {
        logger.warning("gateways: \(error)")
      }
    }
  }
}
