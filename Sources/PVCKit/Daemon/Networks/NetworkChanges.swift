/// The rhythm of the workers that follow the cluster's networks (the link
/// worker on every node, the primary's gateway and firewall duties): `body`
/// runs at once, after every change to `/networks`, and every `interval`, one
/// pass at a time (changes during a pass make one more pass), until cancelled.
enum NetworkChanges {
  static func follow(_ zookeeper: ZooKeeper, every interval: Duration, _ body: @Sendable () async -> Void) async {
    let changes = zookeeper.watchChildren(Layout.base.path(.networks))
    let (ticks, tick) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    await withTaskGroup(of: Void.self) { group in
      group.addTask { for await _ in changes { tick.yield() } }
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
