/// What a coordinator sees when it decides about the primary role.
public struct PrimaryView: Sendable, Hashable {
  /// This node.
  public var me: String
  /// `/config/primary_node`: the node asked to be primary, or `none`/empty.
  public var requested: String
  /// Who holds the primary lease, if anyone.
  public var leaseHolder: String?
  /// Whether this node's current session holds the lease.
  public var holdsLease: Bool
  /// Whether this node's session is connected.
  public var connected: Bool
  /// Whether the requested node has a live daemon (its liveness marker exists).
  public var requestedIsLive: Bool
  /// Whether this node runs the primary duties now.
  public var dutiesRunning: Bool
  /// Whether this node recently gave the role up and should let others take it first.
  public var standingDown: Bool

  /// Creates a view.
  public init(
    me: String, requested: String, leaseHolder: String?, holdsLease: Bool, connected: Bool, requestedIsLive: Bool,
    dutiesRunning: Bool, standingDown: Bool = false
  ) {
    self.me = me
    self.requested = requested
    self.leaseHolder = leaseHolder
    self.holdsLease = holdsLease
    self.connected = connected
    self.requestedIsLive = requestedIsLive
    self.dutiesRunning = dutiesRunning
    self.standingDown = standingDown
  }

  /// Whether no particular node is asked for.
  public var noneRequested: Bool { requested.isEmpty || requested == "none" }
}

/// The next step of a coordinator about the primary role.
public enum PrimaryStep: Sendable, Hashable {
  /// Nothing to do.
  case wait
  /// Try to take the lease (the first to create it wins).
  case contend
  /// The lease is ours: start the primary duties (takeover).
  case takeOver
  /// Another node is asked for, or none: stop the duties and release the lease (relinquish).
  case relinquish
  /// The session is disconnected (or the lease is lost): stop the duties at once,
  /// since another node may take over once our session expires.
  case suspend
}

/// Decides the primary role from what a coordinator sees: pure, no I/O.
///
/// The primary is whoever holds an ephemeral lease in ZooKeeper, so at most one
/// node holds it, and a dead primary's lease vanishes with its session.
/// `/config/primary_node` (upstream's key) says which node should hold it: an
/// administrator moves the role by writing another name there, or `none`.
/// A node runs the duties only while connected and holding the lease; it stops
/// them as soon as it is disconnected, before its session can expire and
/// another node take over, so two nodes never run them at once.
public enum PrimaryDecision {
  /// The next step.
  public static func next(_ view: PrimaryView) -> PrimaryStep {
    guard view.connected else { return view.dutiesRunning ? .suspend : .wait }
    if view.holdsLease {
      if view.requested == view.me { return view.dutiesRunning ? .wait : .takeOver }
      // Just won with nobody asked for: take over. Running while nobody is asked
      // for means an administrator asked this node to step down.
      if view.noneRequested && !view.dutiesRunning && !view.standingDown { return .takeOver }
      return .relinquish
    }
    if view.dutiesRunning { return .suspend }
    guard view.leaseHolder == nil else { return .wait }
    if view.requested == view.me { return .contend }
    if view.noneRequested { return view.standingDown ? .wait : .contend }
    return view.requestedIsLive ? .wait : .contend
  }
}
