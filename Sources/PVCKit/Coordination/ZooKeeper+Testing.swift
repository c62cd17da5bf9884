import CZooKeeper

private let ignoreEvents: watcher_fn = { _, _, _, _, _ in }

extension ZooKeeper {
  /// Makes the server expire this client's session, as a network partition
  /// longer than the session timeout would. For tests and HA drills.
  ///
  /// The client is pointed at an unreachable address, a second handle attaches
  /// to the same session and closes it, then the real servers are restored: the
  /// client then learns that its session expired and opens a new one.
  /// - Returns: once the client has noticed the expiry (not yet reconnected).
  public func _expireSessionForTesting(timeout: Duration = .seconds(20)) async throws {
    let session = try await activeSession()
    let servers = String(hosts.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)[0])
    let clock = ContinuousClock()
    let deadline = clock.now + timeout
    var identity = clientid_t()
    _ = session.submit { zh in
      if let id = zoo_client_id(zh) { identity = id.pointee }
      return 0
    }
    while state.withLock({ $0.generation == session.generation && !$0.closed }) {
      guard clock.now < deadline else {
        throw ZooKeeperError(.operationTimeout, operation: "expire session", path: hosts)
      }
      _ = session.setServers("127.0.0.1:1")
      if let other = zookeeper_init(servers, ignoreEvents, 2000, &identity, nil, 0) {
        for _ in 0..<200 where zoo_state(other) != ZOO_CONNECTED_STATE && zoo_state(other) != ZOO_EXPIRED_SESSION_STATE
        {
          try await Task.sleep(for: .milliseconds(10))
        }
        zookeeper_close(other)
      }
      _ = session.setServers(servers)
      for _ in 0..<50 where state.withLock({ $0.generation == session.generation }) {
        try await Task.sleep(for: .milliseconds(20))
      }
    }
  }
}
