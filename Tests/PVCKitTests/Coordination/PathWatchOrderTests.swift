import Foundation
import PVCKit
import Synchronization
import Testing

/// The order a path watch tells its subscriber things in: a path is marked fresh again only after its new value
/// was delivered, so a reader that finds no stale mark always finds the value (what read-your-writes of the
/// watch-fed views rests on).
@Suite("path watch order")
struct PathWatchOrderTests {
  final class Seen: Sendable {
    /// The value last delivered, and for each "fresh again" mark the value delivered by then.
    let state = Mutex<(last: String?, atFresh: [String?])>((nil, []))
  }

  @Test("a path is marked fresh again only after its new value was delivered")
  func freshAfterDelivery() async throws {
    let (zk, _) = try await TestServices.client(on: TestServices.standalone)
    defer { Task { await zk.close() } }
    try await zk.create("/value", "v1")
    let seen = Seen()
    let watch = zk.watchPaths(
      marks: { _, changed in
        guard !changed else { return }
        seen.state.withLock { $0.atFresh.append($0.last) }
      },
      { update in seen.state.withLock { $0.last = update.data?.string } })
    defer { watch.cancel() }
    try await watch.add(data: ["/value"])
    #expect(seen.state.withLock { $0.atFresh } == ["v1"], "fresh before the first value arrived")
    for round in 2...20 {
      _ = try await zk.set("/value", "v\(round)")
      #expect(try await eventually { seen.state.withLock { $0.atFresh.count } == round })
      #expect(seen.state.withLock { $0.atFresh.last } == "v\(round)", "round \(round)")
    }
  }
}
