import CZooKeeper

extension ZooKeeper {
  /// Reads a node's data and metadata.
  /// - Throws: ``ZooKeeperError`` (``ZooKeeperError/Code/noNode`` if it does not exist).
  public func get(_ path: String) async throws -> ZNodeData {
    let value: ZNodeData? = try await perform("get", path, retry: .idempotent) { session, done in
      session.get(path, watch: false, done)
    }
    return value!
  }

  /// Reads a node's data as a UTF-8 string, or `nil` if the node does not exist.
  public func string(_ path: String) async throws -> String? {
    try await getMany([path])[0]?.string
  }

  /// Reads a node's metadata, or `nil` if it does not exist.
  public func exists(_ path: String) async throws -> ZNodeStat? {
    try await existsMany([path])[0]
  }

  /// Lists a node's children (names, not paths).
  /// - Throws: ``ZooKeeperError`` (``ZooKeeperError/Code/noNode`` if it does not exist).
  public func children(_ path: String) async throws -> [String] {
    let value: ZNodeChildren? = try await perform("children", path, retry: .idempotent) { session, done in
      session.children(path, watch: false, done)
    }
    return value!.names
  }

  /// From how many paths on a batch read is packed into `multiRead` requests
  /// (about 17 times the reads per second of one request per path).
  public static let bulkThreshold = 64

  /// Reads many nodes at once: every request is sent before any reply is awaited.
  /// - Returns: one entry per path, in order; `nil` where the node does not exist.
  ///
  /// Large batches (``bulkThreshold`` paths or more) go through ``readBulk(data:children:)``.
  public func getMany(_ paths: [String]) async throws -> [ZNodeData?] {
    if paths.count >= Self.bulkThreshold { return try await readBulk(data: paths, children: []).data }
    return try await getPipelined(paths)
  }

  /// Reads many nodes at once on the main session, one request per path, all
  /// sent before any reply is awaited.
  public func getPipelined(_ paths: [String]) async throws -> [ZNodeData?] {
    try await readBatch("get", paths: paths, absent: [ZNONODE.rawValue]) { session, paths in
      await session.getBatch(paths)
    }
  }

  /// Lists the children of many nodes at once (pipelined).
  /// - Returns: one entry per path, in order; `nil` where the node does not exist.
  ///
  /// Large batches (``bulkThreshold`` paths or more) go through ``readBulk(data:children:)``.
  public func childrenMany(_ paths: [String]) async throws -> [[String]?] {
    if paths.count >= Self.bulkThreshold { return try await readBulk(data: [], children: paths).children }
    return try await childrenPipelined(paths)
  }

  /// Lists the children of many nodes on the main session, one request per path (pipelined).
  func childrenPipelined(_ paths: [String]) async throws -> [[String]?] {
    let listed: [ZNodeChildren?] = try await readBatch("children", paths: paths, absent: [ZNONODE.rawValue]) {
      session, path, done in
      session.children(path, watch: false, done)
    }
    return listed.map { $0?.names }
  }

  /// Checks many nodes at once (pipelined).
  /// - Returns: one entry per path, in order; `nil` where the node does not exist.
  public func existsMany(_ paths: [String]) async throws -> [ZNodeStat?] {
    try await readBatch("exists", paths: paths, absent: [ZNONODE.rawValue]) { session, path, done in
      session.exists(path, watch: false, done)
    }
  }

  /// Lists every path under `root` (itself included), parents before children.
  ///
  /// Each level of the tree is listed with one pipelined batch. Paths in
  /// `excluding` are left out together with everything under them.
  public func subtree(_ root: String, excluding: Set<String> = []) async throws -> [String] {
    var all: [String] = []
    var level = excluding.contains(root) ? [] : [root]
    while !level.isEmpty {
      let listed = try await childrenMany(level)
      var next: [String] = []
      for (parent, children) in zip(level, listed) {
        guard let children else { continue }
        all.append(parent)
        let prefix = parent == "/" ? "/" : parent + "/"
        for child in children.sorted() where !excluding.contains(prefix + child) { next.append(prefix + child) }
      }
      level = next
    }
    return all
  }
}

extension ZooKeeper {
  /// How many bulk reads fell back to the main session (0 when every server supports `multiRead`).
  public var bulkReadFallbacks: Int { state.withLock { $0.bulkFallbacks } }

  /// Reads the data of many nodes and the children of many others, fastest way
  /// possible: packed into ZooKeeper `multiRead` requests on a second
  /// connection (see ``BulkReader``), or, on servers without `multiRead`,
  /// pipelined on the main session. The result reflects at least every write
  /// acknowledged before the call.
  /// - Returns: the data (`nil` where a node is missing) and the children (`nil` likewise), in order.
  public func readBulk(data: [String], children: [String]) async throws -> (data: [ZNodeData?], children: [[String]?]) {
    let reads = data.map(BulkRead.data) + children.map(BulkRead.children)
    do {
      let results = try await bulk.read(reads)
      let dataValues = results.prefix(data.count).map { result -> ZNodeData? in
        if case .data(let value) = result { return value }
        return nil
      }
      let childValues = results.dropFirst(data.count).map { result -> [String]? in
        if case .children(let names) = result { return names }
        return nil
      }
      return (dataValues, childValues)
    } catch {
      // No multiRead (ZooKeeper before 3.6), or the second connection failed: use the main session.
      state.withLock { $0.bulkFallbacks += 1 }
      async let dataValues = getPipelined(data)
      async let childValues = childrenPipelined(children)
      return try await (dataValues, childValues)
    }
  }
}
