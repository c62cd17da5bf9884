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
    var starting = false
    var lastWrite: ContinuousClock.Instant?
    /// Encoded answers by filter, for one view generation.
    var answers: [VMFilter: Data] = [:]
    var generation = -1
  }

  private let cluster: PVCCluster
  private let state = Mutex(State())
  /// How long after a write listings are read directly.
  static let settle: Duration = .seconds(2)

  init(cluster: PVCCluster) { self.cluster = cluster }

  /// Records that this server changed the cluster.
  func noteWrite() { state.withLock { $0.lastWrite = .now } }

  /// Whether listings now come from the view.
  var usesView: Bool { currentView() != nil }

  /// The VMs matching a filter, as upstream's JSON list; `nil` when none match.
  func json(_ filter: VMFilter) async throws -> Data? {
    guard let view = currentView() else {
      startView()
      let vms = try await cluster.vms.list(filter)
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

  private func currentView() -> VMView? {
    state.withLock { state in
      guard let view = state.view else { return nil }
      if let lastWrite = state.lastWrite, ContinuousClock.now - lastWrite < Self.settle { return nil }
      return view
    }
  }

  private func startView() {
    guard let zookeeper = cluster.zookeeper else { return }
    let begin = state.withLock { state in
      defer { state.starting = true }
      return state.view == nil && !state.starting
    }
    guard begin else { return }
    Task {
      let view = try? await VMView.start(zookeeper: zookeeper)
      state.withLock { state in
        state.view = view
        state.starting = view == nil ? false : state.starting
      }
    }
  }

  static func encode(_ vms: [VMInfo]) throws -> Data {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    return try encoder.encode(vms)
  }
}
