import Foundation
import PVCKit
import Synchronization

/// Answers VM listings fast: from a watch-fed ``VMView`` once it is loaded,
/// with each encoded answer kept until the view changes. Right after this
/// server changed something (and until the view has surely caught up), and
/// before the view is loaded, it reads the cluster directly, so a client always
/// sees its own writes.
final class VMListing: Sendable {
  private struct State {
    var view: VMView?
    var loading: Task<VMView?, Never>?
    var lastWrite: ContinuousClock.Instant?
    /// Encoded answers by filter, for one view generation.
    var answers: [VMFilter: Data] = [:]
    var generation = -1
  }

  private let cluster: PVCCluster
  private let state = Mutex(State())
  private let reads = Coalescer<VMFilter, [VMInfo]>()
  /// How long after a write listings are read directly.
  static let settle: Duration = .seconds(2)

  init(cluster: PVCCluster) { self.cluster = cluster }

  /// Records that this server changed the cluster.
  func noteWrite() { state.withLock { $0.lastWrite = .now } }

  /// Whether listings now come from the view.
  var usesView: Bool { currentView() != nil }

  /// The VMs matching a filter, as upstream's JSON list; `nil` when none match.
  func json(_ filter: VMFilter) async throws -> Data? {
    guard let view = await readyView() else {
      let cluster = self.cluster
      let vms =
        recentlyWritten
        ? try await cluster.vms.list(filter)
        : try await reads.value(for: filter) { try await cluster.vms.list(filter) }
      return vms.isEmpty ? nil : try Self.encode(vms)
    }
    let generation = view.generation
    if let cached = state.withLock({ $0.generation == generation ? $0.answers[filter] : nil }) {
      return cached.isEmpty ? nil : cached
    }
    let vms = try view.list(filter)
    let data = vms.isEmpty ? Data() : try Self.encode(vms)
    state.withLock { state in
      if state.generation != generation {
        state.generation = generation
        state.answers = [:]
      }
      if state.answers.count < 64 { state.answers[filter] = data }
    }
    return vms.isEmpty ? nil : data
  }

  /// Stops following the cluster.
  func stop() async {
    let view = state.withLock { state in
      defer { state.view = nil }
      return state.view
    }
    await view?.stop()
  }

  /// Whether this server changed the cluster within the settling time.
  private var recentlyWritten: Bool {
    state.withLock { state in state.lastWrite.map { ContinuousClock.now - $0 < Self.settle } ?? false }
  }

  private func currentView() -> VMView? {
    recentlyWritten ? nil : state.withLock { $0.view }
  }

  /// The view once loaded (waiting for a load in progress), or `nil` when it
  /// cannot be used now (after a write, or if it cannot be loaded).
  private func readyView() async -> VMView? {
    guard !recentlyWritten else { return nil }
    guard let loading = start() else { return state.withLock { $0.view } }
    return await loading.value
  }

  /// Starts loading the view if it is not loaded or loading; returns the load in progress.
  @discardableResult
  func start() -> Task<VMView?, Never>? {
    guard let zookeeper = cluster.zookeeper else { return nil }
    return state.withLock { state in
      if state.view != nil { return nil }
      if let loading = state.loading { return loading }
      let loading = Task { [weak self] () -> VMView? in
        let view = try? await VMView.start(zookeeper: zookeeper)
        self?.state.withLock { state in
          state.view = view
          state.loading = nil
        }
        return view
      }
      state.loading = loading
      return loading
    }
  }

  static func encode(_ vms: [VMInfo]) throws -> Data {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    return try encoder.encode(vms)
  }
}
