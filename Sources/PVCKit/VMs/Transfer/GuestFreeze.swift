import Foundation

/// The filesystems of a running VM frozen through its QEMU guest agent while its disks are snapshotted, so that
/// the snapshots of all its disks are one point in time. Without an agent (no `org.qemu.guest_agent.0` channel
/// in its definition, or one that does not answer), each disk's snapshot is crash-consistent on its own and the
/// snapshot says so.
struct GuestFreeze: Sendable {
  /// What consistency a snapshot has, said in its task's result.
  enum Consistency: Sendable, Equatable {
    /// The VM was not running: its disks were at rest.
    case atRest
    /// The guest agent froze this many filesystems.
    case frozen(Int)
    /// Each disk crash-consistent on its own, and why no freeze.
    case crashConsistent(String)

    /// The words for people, after "Successfully created snapshot ...".
    var description: String {
      switch self {
      case .atRest: "the VM was stopped"
      case .frozen(let count): "\(count) filesystem\(count == 1 ? "" : "s") frozen through the guest agent"
      case .crashConsistent(let why): "crash-consistent per disk: \(why)"
      }
    }
  }

  /// The channel name libvirt gives the QEMU guest agent.
  static let agentChannel = "org.qemu.guest_agent.0"

  /// Whether a definition has a guest agent channel.
  static func hasAgent(_ xml: String) -> Bool { xml.contains(agentChannel) }

  /// Runs `body` with the VM's filesystems frozen when it runs with an agent, thawing them afterwards whatever
  /// happens; a freeze that fails falls back to crash-consistent snapshots (never fails the snapshot).
  static func around<T: Sendable>(
    _ info: VMInfo, context: TaskContext, _ body: () async throws -> T
  ) async throws -> (T, Consistency) {
    guard info.state == .start, !info.node.isEmpty else { return (try await body(), .atRest) }
    guard hasAgent(info.xml) else {
      return (try await body(), .crashConsistent("the VM has no guest agent channel"))
    }
    let connection: LibvirtConnection
    let opened: Bool
    do {
      (connection, opened) = try await context.libvirt(on: info.node)
    } catch {
      return (try await body(), .crashConsistent("its node's libvirt could not be reached: \(error)"))
    }
    let frozen: Int
    do {
      frozen = try await connection.freezeFilesystems(info.uuid)
    } catch {
      if opened { await connection.close() }
      return (try await body(), .crashConsistent("the guest agent did not freeze: \(error)"))
    }
    let result: Result<T, any Error>
    do { result = .success(try await body()) } catch { result = .failure(error) }
    // A frozen guest cannot write: thawing is retried before giving up.
    var thawed: (any Error)? = nil
    for attempt in 1...3 {
      do {
        try await connection.thawFilesystems(info.uuid)
        thawed = nil
        break
      } catch {
        thawed = error
        if attempt < 3 { try? await Task.sleep(for: .seconds(1)) }
      }
    }
    if opened { await connection.close() }
    if let thawed {
      throw TaskError.failed("the guest's filesystems did not thaw (virsh domfsthaw may): \(thawed)")
    }
    return (try result.get(), .frozen(frozen))
  }
}
