import Logging
import Synchronization

/// Keeps this node's client network links in step with the cluster's networks:
/// `vxlan<vni>` (managed) or `vlan<vni>` (bridged) in bridge `vmbr<vni>`, with
/// the network's MTU within the underlay's. It repairs what is missing and
/// removes what no network wants at start, on every change to `/networks`, and
/// every `interval` (a link deleted by hand comes back); links of other names
/// are never touched.
struct NetworkLinkWorker: Sendable {
  let zookeeper: ZooKeeper
  let settings: NetworkLinkSettings
  let logger: Logger
  var interval: Duration = .seconds(10)
  let ip = Command("/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip")
  /// Failures already logged: one that repeats every pass (a kernel without
  /// VLAN support, say) is logged once.
  let reported = FailureLog()

  /// Runs until cancelled.
  func run() async {
    await NetworkChanges.follow(zookeeper, every: interval) { await reconcile() }
  }

  /// One pass: read the networks and the links, run the plan.
  func reconcile() async {
    do {
      let networks = try await NetworkRecords(zookeeper: zookeeper).all()
      let shown = try await ip.run(["-details", "-json", "link", "show"], timeout: .seconds(10))
      guard shown.status == 0 else {
        logger.warning("network links: ip link show failed: \(shown.output.prefix(200))")
        return
      }
      let commands = NetworkLinkPlan.commands(
        for: networks, existing: LinkState.parse(shown.output), settings: settings)
      for arguments in commands {
        let outcome = try await ip.run(arguments, timeout: .seconds(10))
        let command = "ip " + arguments.joined(separator: " ")
        if outcome.status == 0 {
          logger.info("network links: \(command)")
          reported.forget(command)
        } else if reported.isNew(command) {
          logger.warning("network links: \(command) failed: \(outcome.output.prefix(200))")
        }
      }
    } catch {
      logger.warning("network links: \(error)")
    }
  }
}

/// The failures a worker has already logged.
final class FailureLog: Sendable {
  private let seen = Mutex<Set<String>>([])

  /// Whether `failure` is logged for the first time (and remembers it).
  func isNew(_ failure: String) -> Bool { seen.withLock { $0.insert(failure).inserted } }
  /// Forgets `failure` once it succeeded.
  func forget(_ failure: String) { _ = seen.withLock { $0.remove(failure) } }
}
