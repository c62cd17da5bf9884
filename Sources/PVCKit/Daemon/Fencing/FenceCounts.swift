import Foundation

/// How many times each node was fenced, and how many fences failed: counts in ZooKeeper that only rise
/// (``Layout/fenceCount(_:result:)``), kept by the primary's fence monitor, read for `pvckit_fence_events_total`.
public enum FenceCounts {
  /// Adds one to `node`'s count of fences that ended with `result`, with a versioned write (a failure is logged by
  /// nobody: the count is a figure, never in the way of a fence).
  static func add(_ node: String, result: String, in zookeeper: ZooKeeper) async {
    guard let path = try? Layout.fenceCount(node, result: result) else { return }
    for _ in 0..<5 {
      if let data = try? await zookeeper.get(path) {
        let count = Int(data.string) ?? 0
        if (try? await zookeeper.setData(path, data: Array(String(count + 1).utf8), version: data.stat.version)) != nil
        {
          return
        }
      } else {
        try? await zookeeper.ensurePath(Layout.fencesRoot)
        if (try? await zookeeper.create(path, "1")) != nil { return }
      }
    }
  }

  /// Every count: `(node, result, count)`.
  public static func all(in zookeeper: ZooKeeper) async throws -> [(node: String, result: String, count: Int)] {
    guard try await zookeeper.exists(Layout.fencesRoot) != nil else { return [] }
    let names = try await zookeeper.children(Layout.fencesRoot).sorted()
    let values = try await zookeeper.getMany(names.map { Layout.fencesRoot + "/" + $0 })
    return zip(names, values).compactMap { name, value in
      guard let dot = name.lastIndex(of: "."), let value, let count = Int(value.string) else { return nil }
      return (String(name[..<dot]), String(name[name.index(after: dot)...]), count)
    }
  }
}
