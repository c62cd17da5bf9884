/// Where cluster-wide readers (listings, the status, the fault checks) get
/// their data: the ZooKeeper client itself (one-shot programs), or a
/// watch-fed ``WatchedReads`` cache over it (long-running ones). The readers
/// are the same code either way.
public protocol ClusterReads: Sendable {
  /// The data of many nodes; `nil` where a node does not exist.
  func getMany(_ paths: [String]) async throws -> [ZNodeData?]
  /// The children of many nodes; `nil` where a node does not exist.
  func childrenMany(_ paths: [String]) async throws -> [[String]?]
  /// Both at once.
  func readBulk(data: [String], children: [String]) async throws -> (data: [ZNodeData?], children: [[String]?])
}

extension ZooKeeper: ClusterReads {}

extension ClusterReads {
  /// One node's data as text; `nil` when it does not exist.
  public func text(_ path: String) async throws -> String? {
    try await getMany([path])[0]?.string
  }

  /// Reads `keys` of one object in one batch (never one round trip per key).
  public func record<Key: SchemaKey>(_ ref: ObjectRef<Key>, keys: [Key] = Array(Key.allCases)) async throws
    -> Record<Key>
  {
    try await records([ref], keys: keys)[0]
  }

  /// Reads `keys` of many objects in one batch.
  /// - Returns: one record per reference, in order.
  public func records<Key: SchemaKey>(_ refs: [ObjectRef<Key>], keys: [Key] = Array(Key.allCases)) async throws
    -> [Record<Key>]
  {
    let paths = refs.flatMap { ref in keys.map { ref.path($0) } }
    let data = try await getMany(paths)
    return refs.enumerated().map { index, ref in
      var values: [Key: String] = [:]
      for (offset, key) in keys.enumerated() {
        if let value = data[index * keys.count + offset] { values[key] = value.string }
      }
      return Record(basePath: ref.basePath, values: values)
    }
  }
}
