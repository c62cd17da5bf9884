import Foundation
import Synchronization

/// The daemon's recent log lines in ZooKeeper, as a bounded ring (a PVCKit extension under upstream's
/// `/logs/<node>`): each publish appends the lines logged since the last one as a new chunk
/// (`/logs/<node>/ring/<sequence>`, at most 64 KiB each) and removes the oldest chunks beyond the limits (lines and
/// bytes), so no write rewrites the whole log and readers can follow the ring by watching its children. Upstream's
/// `messages` (the whole recent log in one node, which upstream's `pvc node log` reads) is rewritten at most every
/// 30 seconds.
final class NodeLog: Sendable {
  private struct State {
    /// Lines logged since the last publish.
    var pending: [String] = []
    /// The recent lines (for `messages`), at most `capacity`.
    var recent: [String] = []
    var recentChanged = false
  }
  /// The ring's chunks as the writer knows them, oldest first.
  private struct Ring {
    var loaded = false
    var chunks: [(sequence: Int, lines: Int, bytes: Int)] = []
    var next = 0
    var messagesWritten: ContinuousClock.Instant?
  }
  private let state = Mutex(State())
  private let ring = Mutex(Ring())
  /// How many lines are kept.
  let capacity: Int
  /// How many bytes the ring keeps at most.
  let byteCapacity: Int
  /// The largest chunk.
  static let chunkBytes = 64 << 10
  /// The longest line kept (longer ones are cut).
  static let lineBytes = 4096

  init(capacity: Int, byteCapacity: Int = 1 << 20) {
    self.capacity = capacity
    self.byteCapacity = byteCapacity
  }

  /// Adds a line (with its time).
  func append(_ message: String) {
    guard capacity > 0 else { return }
    let stamp = ISO8601DateFormatter().string(from: Date())
    var line = "\(stamp) \(message)".replacingOccurrences(of: "\n", with: " ")
    if line.utf8.count > Self.lineBytes { line = String(line.utf8.prefix(Self.lineBytes)) ?? String(line.prefix(1000)) }
    state.withLock { state in
      state.pending.append(line)
      if state.pending.count > capacity { state.pending.removeFirst(state.pending.count - capacity) }
      state.recent.append(line)
      if state.recent.count > capacity { state.recent.removeFirst(state.recent.count - capacity) }
      state.recentChanged = true
    }
  }

  /// Appends what was logged since the last time to the ring, trims it, and now and then rewrites `messages`.
  func publish(to zookeeper: ZooKeeper, node: String) async {
    guard capacity > 0, let ref = try? Layout.log(node) else { return }
    let ringPath = ref.basePath + "/" + NodeLogRing.folder
    if !ring.withLock({ $0.loaded }) { await load(ringPath, zookeeper) }
    let lines = state.withLock { state in
      defer { state.pending = [] }
      return state.pending
    }
    var failed: [String] = []
    for chunk in NodeLogRing.chunks(lines, maxBytes: Self.chunkBytes) {
      let sequence = ring.withLock { ring in
        defer { ring.next += 1 }
        return ring.next
      }
      let text = chunk.joined(separator: "\n")
      if (try? await zookeeper.create(NodeLogRing.path(ringPath, sequence), text)) != nil {
        ring.withLock { $0.chunks.append((sequence, chunk.count, text.utf8.count)) }
      } else {
        failed += chunk
      }
    }
    // Lines not written wait for the next publish (the ring may be gone: it is made again).
    if !failed.isEmpty {
      state.withLock { $0.pending.insert(contentsOf: failed, at: 0) }
      ring.withLock { $0.loaded = false }
    }
    for sequence in trimmed() { try? await zookeeper.delete(NodeLogRing.path(ringPath, sequence)) }
    await writeMessages(ref, zookeeper)
  }

  /// The chunks to remove so that the ring holds at most `capacity` lines and `byteCapacity` bytes.
  private func trimmed() -> [Int] {
    ring.withLock { ring in
      var removed: [Int] = []
      var lines = ring.chunks.reduce(0) { $0 + $1.lines }
      var bytes = ring.chunks.reduce(0) { $0 + $1.bytes }
      while ring.chunks.count > 1, lines > capacity || bytes > byteCapacity {
        let oldest = ring.chunks.removeFirst()
        lines -= oldest.lines
        bytes -= oldest.bytes
        removed.append(oldest.sequence)
      }
      return removed
    }
  }

  /// Reads the ring's chunks once (after a start or a failed write), to continue its sequence and know its size.
  private func load(_ ringPath: String, _ zookeeper: ZooKeeper) async {
    try? await zookeeper.ensurePath(ringPath)
    let names = (try? await zookeeper.children(ringPath)) ?? []
    let sequences = names.compactMap(NodeLogRing.sequence).sorted()
    let values = (try? await zookeeper.getMany(sequences.map { NodeLogRing.path(ringPath, $0) })) ?? []
    ring.withLock { ring in
      ring.chunks = zip(sequences, values).map { sequence, value in
        let text = value?.string ?? ""
        return (sequence, text.isEmpty ? 0 : text.split(separator: "\n").count, text.utf8.count)
      }
      ring.next = (sequences.last ?? -1) + 1
      ring.loaded = true
    }
  }

  /// Rewrites upstream's `messages` when lines were added and 30 seconds have passed since the last time.
  private func writeMessages(_ ref: ObjectRef<LogKey>, _ zookeeper: ZooKeeper) async {
    let due = ring.withLock { ring in ring.messagesWritten.map { ContinuousClock.now - $0 > .seconds(30) } ?? true }
    guard due else { return }
    let text: String? = state.withLock { state in
      guard state.recentChanged else { return nil }
      state.recentChanged = false
      return state.recent.joined(separator: "\n")
    }
    guard let text else { return }
    ring.withLock { $0.messagesWritten = .now }
    do {
      try await zookeeper.set(ref.path(.messages), text)
    } catch {
      _ = try? await zookeeper.create(ref.path(.messages), text)
    }
  }
}

/// The node log ring's layout, for its writer and its readers.
public enum NodeLogRing {
  /// The ring's folder under `/logs/<node>`.
  static let folder = "ring"

  /// A chunk's path: `<ring>/<sequence, 12 digits>`, so that names sort as numbers.
  static func path(_ ring: String, _ sequence: Int) -> String {
    let digits = String(sequence)
    return ring + "/" + String(repeating: "0", count: max(0, 12 - digits.count)) + digits
  }

  /// A chunk name's sequence number, or `nil` for another name.
  static func sequence(_ name: String) -> Int? {
    guard name.utf8.count == 12, name.allSatisfy(\.isASCII) else { return nil }
    return Int(name)
  }

  /// Lines cut into chunks of at most `maxBytes` (a line longer than that is a chunk of its own).
  static func chunks(_ lines: [String], maxBytes: Int) -> [[String]] {
    var chunks: [[String]] = []
    var current: [String] = []
    var bytes = 0
    for line in lines {
      let size = line.utf8.count + 1
      if !current.isEmpty, bytes + size > maxBytes {
        chunks.append(current)
        current = []
        bytes = 0
      }
      current.append(line)
      bytes += size
    }
    if !current.isEmpty { chunks.append(current) }
    return chunks
  }

  /// The last `lines` lines of `node`'s log: from its ring when it has one, else from upstream's `messages`.
  static func read(_ node: String, lines: Int, zookeeper: ZooKeeper) async throws -> (text: String, last: Int?) {
    let ref = try Layout.log(node)
    let ringPath = ref.basePath + "/" + folder
    let sequences =
      (try? await zookeeper.children(ringPath))?.compactMap(sequence).sorted() ?? []
    guard !sequences.isEmpty else {
      let text = try await zookeeper.string(ref.path(.messages)) ?? ""
      let tail = text.split(separator: "\n", omittingEmptySubsequences: false).suffix(max(lines, 0))
      return (tail.joined(separator: "\n"), nil)
    }
    let values = try await zookeeper.getMany(sequences.map { path(ringPath, $0) })
    let all = values.compactMap { $0?.string }.filter { !$0.isEmpty }.flatMap { $0.split(separator: "\n") }
    return (all.suffix(max(lines, 0)).joined(separator: "\n"), sequences.last)
  }

  /// The lines of the chunks after `sequence` (a follower's next lines) and the newest chunk's number.
  static func after(_ sequence: Int, node: String, zookeeper: ZooKeeper) async throws -> (lines: [String], last: Int) {
    let ringPath = try Layout.log(node).basePath + "/" + folder
    let newer = try await zookeeper.children(ringPath).compactMap(self.sequence).filter { $0 > sequence }.sorted()
    guard !newer.isEmpty else { return ([], sequence) }
    let values = try await zookeeper.getMany(newer.map { path(ringPath, $0) })
    let lines = values.compactMap { $0?.string }.filter { !$0.isEmpty }.flatMap { $0.split(separator: "\n") }
    return (lines.map(String.init), newer.last ?? sequence)
  }
}
