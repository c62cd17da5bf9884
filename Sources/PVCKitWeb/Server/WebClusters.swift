import Foundation
import Hummingbird
import PVCKit
import PVCKitServer
import Synchronization

/// The clusters one pvcweb shows: its own, and others from pvc.conf's `web.clusters` (through their APIs with
/// the configured keys, or directly through their ZooKeeper). Others are connected when first shown and kept;
/// one that cannot be reached is tried again on the next look, after a pause.
final class WebClusters: Sendable {
  /// The own cluster's name in the UI.
  let localName: String
  let local: PVCCluster
  let others: [PVCConfiguration.OtherCluster]
  private let connected = Mutex<[String: PVCCluster]>([:])
  private let failures = Mutex<[String: (reason: String, at: ContinuousClock.Instant)]>([:])
  /// How long a cluster that could not be reached is left alone.
  static let retryPause: Duration = .seconds(10)

  init(localName: String, local: PVCCluster, others: [PVCConfiguration.OtherCluster]) {
    self.localName = localName
    self.local = local
    self.others = others
  }

  /// Every cluster's name, the own one first.
  var names: [String] { [localName] + others.map(\.name) }

  /// The cluster of this name (`nil` or the own name: the own cluster), connected.
  /// - Throws: why it cannot be reached (or that there is no such cluster).
  func cluster(named name: String?) async throws -> PVCCluster {
    guard let name, name != localName else { return local }
    if let cluster = connected.withLock({ $0[name] }) { return cluster }
    guard let other = others.first(where: { $0.name == name }) else {
      throw WebError.badRequest("there is no cluster named \(name)")
    }
    if let failure = failures.withLock({ $0[name] }), ContinuousClock.now - failure.at < Self.retryPause {
      throw WebError.badRequest("cluster \(name) cannot be reached: \(failure.reason)")
    }
    do {
      let cluster = try await PVCCluster.connect(other.connection)
      cluster.follow()
      let kept = connected.withLock { connected -> PVCCluster? in
        if let existing = connected[name] { return existing }
        connected[name] = cluster
        return nil
      }
      if let kept {
        await cluster.close()
        return kept
      }
      return cluster
    } catch {
      failures.withLock { $0[name] = ("\(error)", .now) }
      throw WebError.badRequest("cluster \(name) cannot be reached: \(error)")
    }
  }

  /// Every cluster's status (or why it has none), read at once, each within `timeout`.
  func statuses(timeout: Duration = .seconds(5)) async -> [(name: String, status: Result<ClusterStatus, WebError>)] {
    await withTaskGroup(of: (Int, String, Result<ClusterStatus, WebError>).self) { group in
      for (index, name) in names.enumerated() {
        group.addTask {
          do {
            let status = try await Self.within(timeout) { try await self.cluster(named: name).status() }
            return (index, name, .success(status))
          } catch let error as WebError {
            return (index, name, .failure(error))
          } catch {
            return (index, name, .failure(.badRequest("\(error)")))
          }
        }
      }
      var results: [(Int, String, Result<ClusterStatus, WebError>)] = []
      for await result in group { results.append(result) }
      return results.sorted { $0.0 < $1.0 }.map { ($0.1, $0.2) }
    }
  }

  /// Closes the other clusters' connections.
  func close() async {
    let all = connected.withLock { connected -> [PVCCluster] in
      defer { connected = [:] }
      return Array(connected.values)
    }
    for cluster in all { await cluster.close() }
  }

  private static func within<T: Sendable>(_ timeout: Duration, _ body: @escaping @Sendable () async throws -> T)
    async throws -> T
  {
    try await withThrowingTaskGroup(of: T.self) { group in
      group.addTask { try await body() }
      group.addTask {
        try await Task.sleep(for: timeout)
        throw WebError.badRequest("no answer within \(timeout.components.seconds) s")
      }
      defer { group.cancelAll() }
      return try await group.next()!
    }
  }
}

/// The cluster a request's pages and forms work on: the one its login chose on the clusters page (set by
/// ``Middleware`` for the request's handling, a task-local, so every route reads it without passing it along).
enum WebCluster {
  @TaskLocal static var current: (name: String, cluster: PVCCluster)?

  /// Sets ``current`` from the session's choice; a chosen cluster that cannot be reached gets a page saying so.
  struct Middleware: RouterMiddleware {
    typealias Context = PVCRequestContext
    let server: WebServer

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
      -> Response
    {
      let chosen = APIAuthenticator.cookie(WebSessions.cookie, in: request.headers).flatMap {
        server.sessions.chosenCluster(of: $0)
      }
      guard let chosen, chosen != server.clusters.localName, !request.uri.path.hasPrefix("/clusters"),
        !request.uri.path.hasPrefix("/static/"), request.uri.path != "/login", request.uri.path != "/logout"
      else { return try await next(request, context) }
      let cluster: PVCCluster
      do {
        cluster = try await server.clusters.cluster(named: chosen)
      } catch {
        return WebRoutes.page(
          PageShell.page(
            "Not available", session: nil,
            "<p class=\"error\" role=\"alert\">\(WebRoutes.reason(error))</p><p><a href=\"/clusters\">All clusters</a></p>"
          ),
          status: .serviceUnavailable)
      }
      return try await WebCluster.$current.withValue((chosen, cluster)) { try await next(request, context) }
    }
  }
}
