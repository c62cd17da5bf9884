/// Network operations performed directly on ZooKeeper, in upstream's layout
/// (`/networks/<vni>`, its description as the node's data).
struct DirectNetworkOperations: NetworkOperations {
  let zookeeper: ZooKeeper
  /// The VMs, to refuse removing a network one of them uses.
  let vms: any VMOperations
  /// The connection's watch-fed views, once it is followed.
  var views: ViewSlot?

  func list(limit: String?) async throws -> [NetworkInfo] {
    let matcher = try Self.matcher(limit)
    return try await all().filter { network in
      matcher.matches(String(network.vni))
        || matcher.matches(network.description)
    }
  }

  func info(_ vni: Int) async throws -> NetworkInfo {
    let record = try await zookeeper.record(try Layout.network(String(vni)))
    guard let network = NetworkInfo(vni: vni, record: record) else { throw NetworkError.notFound(vni) }
    return network
  }

  func add(_ definition: NetworkDefinition) async throws {
    let network = definition.info
    let others = try await all()
    if others.contains(where: { $0.vni == network.vni }) { throw NetworkError.exists(network.vni) }
    try NetworkRules.check(network, among: others)
    let ref = try Layout.network(String(network.vni))
    let values = Self.values(of: network)
    var operations: [ZooKeeperOperation] = [.create(ref.path(.root), network.description)]
    for key in NetworkKey.allCases where key != .root && key.spec.exists(in: Layout.currentVersion) {
      operations.append(.create(ref.path(key), values[key] ?? key.spec.defaultValue))
    }
    do {
      _ = try await zookeeper.multi(operations)
    } catch let error as ZooKeeperError where error.code == .nodeExists {
      throw NetworkError.exists(network.vni)
    }
  }

  func modify(_ vni: Int, _ change: NetworkChange) async throws {
    guard !change.isEmpty else { throw NetworkError.invalid("no changes to apply") }
    let current = try await info(vni)
    let changed = change.applied(to: current)
    try NetworkRules.check(changed, among: try await all())
    let ref = try Layout.network(String(vni))
    let before = Self.values(of: current)
    var operations: [ZooKeeperOperation] = []
    for (key, value) in Self.values(of: changed) where before[key] != value {
      operations.append(.set(ref.path(key), value))
    }
    if changed.description != current.description { operations.append(.set(ref.path(.root), changed.description)) }
    guard !operations.isEmpty else { return }
    _ = try await zookeeper.multi(operations)
  }

  func remove(_ vni: Int) async throws {
    _ = try await info(vni)
    let users = try await vms.list(VMFilter()).filter { vm in vm.networks.contains { $0.vni == String(vni) } }
    guard users.isEmpty else { throw NetworkError.inUse(vni: vni, vms: users.map(\.name).sorted()) }
    try await zookeeper.deleteRecursively(try Layout.network(String(vni)).basePath)
  }

  func leases(_ vni: Int, limit: String?, staticOnly: Bool) async throws -> [NetworkLease] {
    let network = try await info(vni)
    let matcher = try Self.matcher(limit)
    var all = try await records.reservations(network.vni)
    if !staticOnly { all += try await records.leases(network.vni) }
    return all.filter { lease in
      [lease.macAddress, lease.ip4Address, lease.hostname].contains {
        matcher.matches($0)
      }
    }.sorted { a, b in
      let (x, y) = (IPAddress(a.ip4Address)?.bytes ?? [], IPAddress(b.ip4Address)?.bytes ?? [])
      return x == y ? a.macAddress < b.macAddress : x.lexicographicallyPrecedes(y)
    }
  }

  func addReservation(_ vni: Int, mac: String, ip: String, hostname: String) async throws {
    let network = try await info(vni)
    let reservation = NetworkLease(
      hostname: hostname, ip4Address: ip, macAddress: NetworkRules.mac(mac) ?? mac, isStatic: true)
    let existing = try await records.reservations(vni)
    if existing.contains(where: { $0.macAddress == reservation.macAddress }) {
      throw NetworkError.reservationExists(vni: vni, mac: reservation.macAddress)
    }
    try NetworkRules.check(reservation: reservation, on: network, others: existing)
    let ref = try Layout.reservation(reservation.macAddress, network: String(vni))
    do {
      _ = try await zookeeper.multi([
        .create(ref.path(.root), ""), .create(ref.path(.ip), reservation.ip4Address),
        .create(ref.path(.hostname), reservation.hostname),
      ])
    } catch let error as ZooKeeperError where error.code == .nodeExists {
      throw NetworkError.reservationExists(vni: vni, mac: reservation.macAddress)
    }
  }

  func removeReservation(_ vni: Int, mac: String) async throws {
    _ = try await info(vni)
    guard let normalized = NetworkRules.mac(mac) else { throw NetworkError.leaseNotFound(vni: vni, mac: mac) }
    let ref = try Layout.reservation(normalized, network: String(vni))
    guard try await zookeeper.exists(ref.path(.root)) != nil else {
      throw NetworkError.leaseNotFound(vni: vni, mac: normalized)
    }
    try await zookeeper.deleteRecursively(ref.basePath)
  }

  func acls(_ vni: Int, limit: String?, direction: Layout.RuleDirection?) async throws -> [NetworkACL] {
    _ = try await info(vni)
    let matcher = try Self.matcher(limit)
    return try await records.rules(vni, direction).filter {
      matcher.matches($0.description)
    }
  }

  func addACL(_ vni: Int, description: String, direction: Layout.RuleDirection, order: Int?, rule: String)
    async throws
  {
    let network = try await info(vni)
    guard network.type == .managed else {
      throw NetworkError.invalid("network \(vni) is bridged: PVC does not filter it")
    }
    guard let ref = try? Layout.rule(description, direction: direction, network: String(vni)),
      description.utf8.count <= 255
    else {
      throw NetworkError.invalid(
        "'\(NetworkRules.shown(description))' cannot name a rule (no '/', not starting with '.')")
    }
    let parsed = try ACLRule(parsing: rule)
    var current = try await records.rules(vni, direction)
    if current.contains(where: { $0.description == description }) {
      throw NetworkError.aclExists(vni: vni, description: description)
    }
    let place = min(max(order ?? current.count + 1, 1), current.count + 1)
    current.insert(
      NetworkACL(description: description, direction: direction.rawValue, order: place, rule: parsed.description),
      at: place - 1)
    var operations: [ZooKeeperOperation] = [
      .create(ref.path(.root), ""), .create(ref.path(.rule), parsed.description),
      .create(ref.path(.order), String(place)),
    ]
    operations += try renumbered(vni, direction, current, skipping: description)
    do {
      _ = try await zookeeper.multi(operations)
    } catch let error as ZooKeeperError where error.code == .nodeExists {
      throw NetworkError.aclExists(vni: vni, description: description)
    }
  }

  func removeACL(_ vni: Int, description: String) async throws {
    _ = try await info(vni)
    for direction in Layout.RuleDirection.allCases {
      var current = try await records.rules(vni, direction)
      guard let index = current.firstIndex(where: { $0.description == description }) else { continue }
      current.remove(at: index)
      let ref = try Layout.rule(description, direction: direction, network: String(vni))
      var operations: [ZooKeeperOperation] = [
        .delete(path: ref.path(.rule)), .delete(path: ref.path(.order)), .delete(path: ref.path(.root)),
      ]
      operations += try renumbered(vni, direction, current, skipping: nil)
      _ = try await zookeeper.multi(operations)
      return
    }
    throw NetworkError.aclNotFound(vni: vni, description: description)
  }

  /// The writes that give `rules` the orders 1, 2, ... where they differ.
  private func renumbered(_ vni: Int, _ direction: Layout.RuleDirection, _ rules: [NetworkACL], skipping: String?)
    throws -> [ZooKeeperOperation]
  {
    try rules.enumerated().compactMap { index, rule in
      guard rule.description != skipping, rule.order != index + 1 else { return nil }
      return .set(
        try Layout.rule(rule.description, direction: direction, network: String(vni)).path(.order), String(index + 1))
    }
  }

  /// A compiled `limit` pattern (fuzzy unless anchored, as for VMs).
  static func matcher(_ limit: String?) throws -> VMFilter.Matcher {
    try VMFilter.Matcher.names(limit) { NetworkError.invalid($0) }
  }

  var records: NetworkRecords { NetworkRecords(zookeeper: zookeeper, reads: views?.view?.reads) }

  /// Every network, sorted by VNI.
  func all() async throws -> [NetworkInfo] {
    try await records.all()
  }

  /// A network's keys as upstream stores them.
  static func values(of network: NetworkInfo) -> [NetworkKey: String] {
    [
      .type: network.type.rawValue, .mtu: network.mtu.map(String.init) ?? "", .domain: network.domain,
      .nameServers: network.nameServers.joined(separator: ","), .ip4Network: network.ip4.network,
      .ip4Gateway: network.ip4.gateway, .ip4DHCP: network.ip4.dhcpFlag ? "True" : "False",
      .ip4DHCPStart: network.ip4.dhcpStart, .ip4DHCPEnd: network.ip4.dhcpEnd, .ip6Network: network.ip6.network,
      .ip6Gateway: network.ip6.gateway, .ip6DHCP: network.ip6.dhcpFlag ? "True" : "False",
    ]
  }
}
