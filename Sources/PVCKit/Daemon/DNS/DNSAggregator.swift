import Foundation
import Logging

/// The primary's DNS aggregator: reads the managed networks, their leases and reservations and the VMs on
/// them from ZooKeeper, turns them into zones (``DNSAggregatorPlan``), and brings the database in step: one
/// transaction per zone that changed, and zones of networks that are gone removed. A pass with nothing new
/// touches nothing.
actor DNSAggregator {
  let zookeeper: ZooKeeper
  let logger: Logger
  private let reported = FailureLog()
  /// What the database holds, as this aggregator last wrote it (`nil`: not known, write everything).
  private var written: [String: DNSAggregatorPlan.Zone]?
  /// VM names by NIC MAC, per network, and when they were read.
  private var vms: [Int: [String: String]] = [:]
  private var vmsRead: ContinuousClock.Instant?
  /// How old the VM names may be before they are read again.
  let vmInterval: Duration

  init(zookeeper: ZooKeeper, logger: Logger, vmInterval: Duration = .seconds(10)) {
    self.zookeeper = zookeeper
    self.logger = logger
    self.vmInterval = vmInterval
  }

  /// Forgets what was written: the next pass checks every zone (after a new primary took over, or an error).
  func reset() { written = nil }

  /// One pass.
  func pass(_ database: DNSDatabase) async throws {
    let records = NetworkRecords(zookeeper: zookeeper)
    let networks = try await records.all().filter { $0.type == .managed && !$0.domain.isEmpty }
    var inputs: [DNSAggregatorPlan.Input] = []
    var unknownMAC = false
    for network in networks {
      do {
        let leases = try await records.reservations(network.vni) + records.leases(network.vni)
        let names = vms[network.vni] ?? [:]
        unknownMAC = unknownMAC || leases.contains { NetworkRules.mac($0.macAddress).map { names[$0] == nil } ?? false }
        inputs.append(.init(network: network, leases: leases, vmsByMAC: names))
      } catch {
        if reported.isNew("network \(network.vni)") { logger.warning("dns: network \(network.vni): \(error)") }
      }
    }
    // VM names: read again when old, or when a lease has a MAC no known VM has (a VM that just started).
    if vmsRead.map({ ContinuousClock.now - $0 > vmInterval }) ?? true
      || unknownMAC && (vmsRead.map { ContinuousClock.now - $0 > .seconds(2) } ?? true)
    {
      try await readVMs()
      inputs = inputs.map { input in
        var input = input
        input.vmsByMAC = vms[input.network.vni] ?? [:]
        return input
      }
    }
    let plan = DNSAggregatorPlan(inputs)
    for problem in plan.problems where reported.isNew(problem) { logger.warning("dns: \(problem)") }
    var done = written ?? [:]
    for (name, zone) in plan.zones.sorted(by: { $0.key < $1.key }) where written?[name] != zone {
      do {
        let forward = networks.first { $0.vni == zone.network }?.domain ?? name
        let result = try await database.synchronize(
          zone: name, network: zone.network, nameservers: ["ns1.\(forward)"], contact: "hostmaster.\(forward)",
          desired: zone.records)
        for skipped in result.skipped where reported.isNew("clash \(name) \(skipped)") {
          logger.warning("dns: \(skipped) is left out of zone \(name): a user's record there clashes with it")
        }
        if result.changes > 0 { logger.info("dns: zone \(name): \(result.changes) records changed") }
        done[name] = zone
        reported.forget("zone \(name)")
      } catch {
        done[name] = nil
        if reported.isNew("zone \(name)") { logger.warning("dns: zone \(name) not brought in step: \(error)") }
      }
    }
    // The aggregator's zones for networks that are gone (or whose domain changed).
    for zone in try await database.zones() where zone.source == .aggregator && plan.zones[zone.name] == nil {
      do {
        try await database.removeZone(zone.name, as: .aggregator)
        logger.info("dns: zone \(zone.name) removed (its network is gone)")
        done[zone.name] = nil
      } catch {
        if reported.isNew("remove \(zone.name)") { logger.warning("dns: zone \(zone.name) not removed: \(error)") }
      }
    }
    written = done.filter { plan.zones[$0.key] != nil }
  }

  /// VM names by the MACs of their NICs, per managed network.
  private func readVMs() async throws {
    let all = try await DirectVMOperations(zookeeper: zookeeper).list(VMFilter())
    var found: [Int: [String: String]] = [:]
    for vm in all {
      for nic in vm.networks {
        guard let vni = Int(nic.vni), let mac = NetworkRules.mac(nic.mac) else { continue }
        found[vni, default: [:]][mac] = vm.name
      }
    }
    vms = found
    vmsRead = .now
  }
}
