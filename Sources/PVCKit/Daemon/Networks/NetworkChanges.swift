/// The rhythm of the workers that follow the cluster's networks (the link
/// worker, FRR's neighbours aside, the firewall, the primary's gateways and DHCP
/// servers): `body` runs at once, after every change to a network (added or
/// removed, a value modified, a rule or reservation added or removed), and
/// every `interval`, one pass at a time (changes during a pass make one more
/// pass), until cancelled. Leases are not followed: the primary writes them
/// every second, and nothing a worker makes depends on them.
enum NetworkChanges {
  /// The values and collections of a network that a change to makes a new pass.
  static func paths(of vni: String) -> (data: [String], children: [String])? {
    guard let network = try? Layout.network(vni) else { return nil }
    let collections: [NetworkKey] = [.rulesIn, .rulesOut, .reservations]
    let values = NetworkKey.allCases.filter { !collections.contains($0) && $0 != .rules && $0 != .leases }
    return (values.map { network.path($0) }, collections.map { network.path($0) })
  }

  static func follow(_ zookeeper: ZooKeeper, every interval: Duration, _ body: @Sendable () async -> Void) async {
    let (ticks, tick) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    let watch = zookeeper.watchPaths { _ in tick.yield() }
    defer { watch.cancel() }
    let changes = zookeeper.watchChildren(Layout.base.path(.networks))
    await withTaskGroup(of: Void.self) { group in
      group.addTask {
        var watched: Set<String> = []
        for await children in changes {
          let now = Set(children?.names ?? [])
          for vni in watched.subtracting(now) {
            if let paths = paths(of: vni) { watch.remove(data: paths.data, children: paths.children) }
          }
          for vni in now.subtracting(watched) {
            if let paths = paths(of: vni) { try? await watch.add(data: paths.data, children: paths.children) }
          }
          watched = now
          tick.yield()
        }
      }
      group.addTask {
        while !Task.isCancelled {
          tick.yield()
          try? await Task.sleep(for: interval)
        }
        tick.finish()
      }
      for await _ in ticks {
        if Task.isCancelled { break }
        await body()
      }
      group.cancelAll()
    }
  }
}
