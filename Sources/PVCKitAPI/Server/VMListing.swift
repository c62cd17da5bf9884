import Foundation
import PVCKit
import Synchronization

/// `GET /vm` answers, encoded once per state of the cluster: the listing comes
/// from PVCKit (its watch-fed view, see ``ClusterView``), and each encoded
/// answer is kept until the view changes. Read-your-writes is PVCKit's: a
/// settled view shows this server's own writes.
final class VMListing: Sendable {
  private let cluster: PVCCluster
  /// Encoded answers by filter, for one view generation.
  private let answers = Mutex<(generation: Int, bodies: [VMFilter: Data])>((-1, [:]))

  init(cluster: PVCCluster) { self.cluster = cluster }

  /// Whether listings come from the view (loaded) now.
  var usesView: Bool { cluster.view?.isLoaded ?? false }

  /// The VMs matching a filter, as upstream's JSON list; `nil` when none match.
  func json(_ filter: VMFilter) async throws -> Data? {
    let generation = await cluster.view?.settledGeneration()
    if let generation, let cached = answers.withLock({ $0.generation == generation ? $0.bodies[filter] : nil }) {
      return cached.isEmpty ? nil : cached
    }
    let vms = try await cluster.vms.list(filter)
    let data = vms.isEmpty ? Data() : try Self.encode(vms)
    // Read after `generation` was taken: never older than it.
    if let generation {
      answers.withLock { answers in
        if answers.generation != generation { answers = (generation, [:]) }
        if answers.bodies.count < 64 { answers.bodies[filter] = data }
      }
    }
    return vms.isEmpty ? nil : data
  }

  static func encode(_ vms: [VMInfo]) throws -> Data {
    try UpstreamJSON.encode(vms)
  }
}
