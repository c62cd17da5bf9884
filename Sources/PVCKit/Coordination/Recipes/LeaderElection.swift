import Synchronization

/// Leader election through ZooKeeper: candidates queue as ephemeral sequential
/// nodes under ``path``, the first in line leads, and each candidate watches only
/// the one before it.
///
/// ```swift
/// let election = LeaderElection(client: zk, path: "/pvckit/election", identifier: "hv1")
/// for try await leading in election.campaign() {
///   leading ? startDuties() : stopDuties()
/// }
/// ```
///
/// Leadership is reported conservatively: `false` is yielded as soon as the
/// connection is lost (the session, and with it the leadership, may be gone
/// without this candidate knowing), and `true` again only when the same session
/// reconnects with its node still first. After a session expiry the candidate
/// queues again at the back.
public final class LeaderElection: Sendable {
  /// The election's parent node.
  public let path: String
  /// This candidate's identifier, stored as its node's data.
  public let identifier: String
  private let contender: SequentialContender

  /// Creates a candidate for the election at `path` on `client`.
  public init(client: ZooKeeper, path: String, identifier: String) {
    self.path = path
    self.identifier = identifier
    contender = SequentialContender(client: client, parent: path, marker: "__lock__")
  }

  /// Joins the election. The stream yields `true` when this candidate becomes
  /// leader and `false` when it stops being leader. Ending the iteration (or
  /// cancelling its task) withdraws the candidacy.
  public func campaign() -> AsyncThrowingStream<Bool, any Error> {
    let (stream, continuation) = AsyncThrowingStream.makeStream(of: Bool.self)
    let task = Task {
      do {
        try await self.run(continuation)
        continuation.finish()
      } catch {
        continuation.finish(throwing: error is CancellationError ? nil : error)
      }
    }
    continuation.onTermination = { _ in task.cancel() }
    return stream
  }

  /// The identifier of the current leader, or `nil` when there is no candidate.
  public func leader() async throws -> String? {
    let client = contender.client
    guard try await client.exists(path) != nil else { return nil }
    for name in SequentialContender.ordered(try await client.children(path)) {
      if let data = try await client.getMany([contender.path(name)])[0] { return data.string }
    }
    return nil
  }

  private func run(_ output: AsyncThrowingStream<Bool, any Error>.Continuation) async throws {
    while !Task.isCancelled {
      do {
        try await serveOneTerm(output)
      } catch let error as ZooKeeperError where error.code != .closed {
        // The session failed under us: queue again once it is back.
        try await Task.sleep(for: .milliseconds(100))
      }
    }
  }

  /// Queues once, leads while the session allows, and returns when leadership ends.
  private func serveOneTerm(_ output: AsyncThrowingStream<Bool, any Error>.Continuation) async throws {
    let client = contender.client
    let name = try await contender.enter(data: Array(identifier.utf8))
    defer { Task { try? await self.contender.leave(name) } }
    do {
      try await contender.waitForTurn(name, deadline: nil) { _ in true }
    } catch let error as CoordinationError where error.reason == .lost {
      return
    }
    output.yield(true)
    var leading = true
    defer { if leading { output.yield(false) } }
    // Follow the session: leadership is suspended while disconnected and ends with the node.
    for await session in client.sessionStates() {
      switch session {
      case .connected:
        guard SequentialContender.ordered(try await client.children(path)).first == name else { return }
        if !leading {
          leading = true
          output.yield(true)
        }
      case .disconnected, .connecting:
        if leading {
          leading = false
          output.yield(false)
        }
      case .expired, .closed:
        return
      }
    }
  }
}
