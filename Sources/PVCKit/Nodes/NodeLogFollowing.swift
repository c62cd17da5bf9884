import Foundation

/// Following a log that is re-read as a whole (a node's log through the API, a VM's console log): what a newer read
/// adds to an older one.
public enum LogTail {
  /// The lines of `new` after the longest end of `old` that `new` begins with (all of `new` when none).
  public static func added(from old: String, to new: String) -> [Substring] {
    let before = old.split(separator: "\n", omittingEmptySubsequences: false)
    let after = new.split(separator: "\n", omittingEmptySubsequences: false)
    for overlap in stride(from: min(before.count, after.count), through: 0, by: -1)
    where Array(before.suffix(overlap)) == Array(after.prefix(overlap)) {
      return Array(after[overlap...])
    }
    return after[...].map { $0 }
  }

  /// The text of `read`, then what each later read adds, every `interval`, until the consumer stops.
  public static func polling(
    every interval: Duration = .seconds(1), _ read: @escaping @Sendable () async throws -> String
  ) -> AsyncThrowingStream<String, any Error> {
    AsyncThrowingStream { continuation in
      let task = Task {
        do {
          var last = try await read()
          continuation.yield(last)
          while !Task.isCancelled {
            try await Task.sleep(for: interval)
            let current = try await read()
            guard current != last else { continue }
            let added = added(from: last, to: current)
            if !added.isEmpty { continuation.yield(added.joined(separator: "\n")) }
            last = current
          }
          continuation.finish()
        } catch {
          continuation.finish(throwing: error)
        }
      }
      continuation.onTermination = { _ in task.cancel() }
    }
  }
}

extension NodeOperations {
  /// The node daemon's last `lines` log lines, then each new piece as it is logged, until the consumer stops.
  /// Over ZooKeeper the node's log ring is watched (no polling); over the API the log is re-read every second.
  public func followLog(_ node: String, lines: Int) -> AsyncThrowingStream<String, any Error> {
    if let direct = self as? DirectNodeOperations { return direct.watchLog(node, lines: lines) }
    return LogTail.polling { try await log(node, lines: lines) }
  }
}

extension DirectNodeOperations {
  /// The log, then every chunk the node adds to its ring, by a children watch on the ring.
  func watchLog(_ node: String, lines: Int) -> AsyncThrowingStream<String, any Error> {
    let zookeeper = self.zookeeper
    return AsyncThrowingStream { continuation in
      let task = Task {
        do {
          let (text, newest) = try await NodeLogRing.read(node, lines: lines, zookeeper: zookeeper)
          continuation.yield(text)
          guard var last = newest else {
            // No ring (an upstream node): upstream's `messages`, re-read.
            for try await piece in LogTail.polling(
              { try await NodeLogRing.read(node, lines: lines, zookeeper: zookeeper).text }).dropFirst()
            {
              continuation.yield(piece)
            }
            continuation.finish()
            return
          }
          let ring = try Layout.log(node).basePath + "/" + NodeLogRing.folder
          for await _ in zookeeper.watchChildren(ring) {
            let (added, newest) = try await NodeLogRing.after(last, node: node, zookeeper: zookeeper)
            last = newest
            if !added.isEmpty { continuation.yield(added.joined(separator: "\n")) }
          }
          continuation.finish()
        } catch {
          continuation.finish(throwing: error)
        }
      }
      continuation.onTermination = { _ in task.cancel() }
    }
  }
}
