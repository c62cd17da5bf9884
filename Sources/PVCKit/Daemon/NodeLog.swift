import Foundation
import Synchronization

/// The daemon's recent log lines, published to `/logs/<node>/messages` (as
/// upstream's `zookeeper_logging`) so that `pvc node log` and the API can show them.
final class NodeLog: Sendable {
  private let state = Mutex<(lines: [String], changed: Bool)>(([], false))
  /// How many lines are kept.
  let capacity: Int

  init(capacity: Int) { self.capacity = capacity }

  /// Adds a line (with its time).
  func append(_ message: String) {
    guard capacity > 0 else { return }
    let stamp = ISO8601DateFormatter().string(from: Date())
    state.withLock { state in
      state.lines.append("\(stamp) \(message)")
      if state.lines.count > capacity { state.lines.removeFirst(state.lines.count - capacity) }
      state.changed = true
    }
  }

  /// Writes the lines to ZooKeeper if they changed since the last time.
  func publish(to zookeeper: ZooKeeper, node: String) async {
    let text: String? = state.withLock { state in
      guard state.changed else { return nil }
      state.changed = false
      return state.lines.joined(separator: "\n")
    }
    guard let text, let ref = try? Layout.log(node) else { return }
    do {
      try await zookeeper.set(ref.path(.messages), text)
    } catch let error as ZooKeeperError where error.code == .noNode {
      try? await zookeeper.ensurePath(ref.basePath)
      _ = try? await zookeeper.create(ref.path(.messages), text)
    } catch {
      state.withLock { $0.changed = true }
    }
  }
}
