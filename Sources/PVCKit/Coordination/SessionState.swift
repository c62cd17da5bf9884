/// The state of a ``ZooKeeper`` client's session, as published by ``ZooKeeper/sessionStates()``.
public enum SessionState: Sendable, Hashable {
  /// The first connection is being made.
  case connecting
  /// Connected with this session. After an expiry this is published once the
  /// client's ephemeral nodes have been re-created and its watches re-armed.
  case connected(sessionID: Int64)
  /// The connection was lost; the session may still be alive and the client is
  /// reconnecting. Ephemeral nodes remain until the session expires.
  case disconnected
  /// The session expired: the server deleted its ephemeral nodes (including
  /// lock and election entries). A new session is being opened.
  case expired
  /// The client was closed.
  case closed
}
